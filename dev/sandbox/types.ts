import type { SandboxData } from './model';

export interface SandboxOptions {
  /** Default 0 (ephemeral). The host is always 127.0.0.1. */
  port?: number;
  /** Added to every response. Default 0. */
  latencyMs?: number;
  /** Clock (ms epoch) for dates, the 7-day seat rule, 202 completion and rate windows. Default Date.now. */
  now?: () => number;
  /** Per partner tenant (JWT `tid`, else the whole token). Past the limit: 429. Default null (off). */
  rateLimit?: { limit: number; windowMs: number } | null;
  /** Which subscription PATCHes answer 202 + Location. Default 'quantity' (quantity changes on new commerce). */
  asyncSubscriptionUpdates?: 'quantity' | 'all' | 'never';
  /** A 202 change becomes visible this long after it was accepted (by `now`). Default 1500. */
  asyncApplyMs?: number;
  /** Which support profile PUT paths exist. Default both; the other answers 404. */
  supportProfilePutPaths?: Array<'supportprofile' | 'support'>;
  /**
   * Token check, as Partner Center does it: claims of a valid token for Partner Center, or undefined. Null
   * (the default) accepts any bearer token; `main` binds it to the local token authority.
   */
  verifyToken?: ((token: string) => Record<string, unknown> | undefined) | null;
  /** Endpoints Microsoft announced as retired: when true they answer 410 OperationDecommissioned. */
  decommissioned?: { createServiceRequest?: boolean; supportTopics?: boolean };
  /** Delivers a test event (validationEvents) to the registered URL; null (the default): it stays pending. */
  webhookDelivery?: ((url: string, event: Record<string, string>) => Promise<{ status: number; body: string }>) | null;
}

export type ResolvedOptions = Required<Omit<SandboxOptions, 'port'>>;

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  token: string | null;
  /** Parsed JSON as sent (original casing), the raw text when it is not JSON, null when empty. */
  body: unknown;
  /** 0 while unanswered, and for a request whose socket was reset. */
  status: number;
  at: number;
}

export interface FaultSpec {
  method?: string;
  /** A string matches the path exactly (trailing slash ignored); a RegExp is tested against the path. */
  path?: string | RegExp;
  /** Default 1. */
  times?: number;
  status?: number;
  /** JSON body; a string is sent as raw text (e.g. a gateway's HTML page). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the socket without answering. */
  reset?: boolean;
  /** Hold the request this long before answering normally or with the fault. */
  delayMs?: number;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:PORT (no trailing slash, no /v1). */
  url: string;
  requests: RecordedRequest[];
  data: SandboxData;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  setOptions(options: Partial<SandboxOptions>): void;
  reset(): void;
  close(): Promise<void>;
}
