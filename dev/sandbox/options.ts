/** Defaults and checks for SandboxOptions; a bad option fails at start, not on the first request. */
import type { ResolvedOptions, SandboxOptions } from './types';

export const DEFAULT_OPTIONS: ResolvedOptions = {
  latencyMs: 0,
  now: Date.now,
  rateLimit: null,
  asyncSubscriptionUpdates: 'quantity',
  asyncApplyMs: 1500,
  supportProfilePutPaths: ['supportprofile', 'support'],
  decommissioned: {},
  verifyToken: null,
  webhookDelivery: null,
};

/** The given options over `base`; keys set to undefined keep the base value. */
export function mergeOptions(base: ResolvedOptions, changes: Partial<SandboxOptions>): ResolvedOptions {
  const defined = Object.fromEntries(Object.entries(changes).filter(([k, v]) => v !== undefined && k !== 'port'));
  const merged: ResolvedOptions = { ...base, ...defined };
  check(merged);
  return merged;
}

function check(o: ResolvedOptions): void {
  const problems: string[] = [];
  if (!(o.latencyMs >= 0)) problems.push('latencyMs must be 0 or more');
  if (!(o.asyncApplyMs >= 0)) problems.push('asyncApplyMs must be 0 or more');
  if (o.rateLimit && !(o.rateLimit.limit >= 0 && o.rateLimit.windowMs > 0)) {
    problems.push('rateLimit needs limit >= 0 and windowMs > 0');
  }
  if (!['quantity', 'all', 'never'].includes(o.asyncSubscriptionUpdates)) {
    problems.push("asyncSubscriptionUpdates must be 'quantity', 'all' or 'never'");
  }
  if (problems.length > 0) throw new Error(`Invalid sandbox options: ${problems.join('; ')}.`);
}
