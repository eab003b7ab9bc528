/**
 * Reading Partner Center's answers leniently.
 *
 * Microsoft adds fields and changes shapes without notice (`refundableQuantity` turned from a number into
 * an object). The schemas model only what the product reads; a field that arrives in a shape they do not
 * expect becomes unknown (shown as "—"), is logged once at warn with its path, and never fails the
 * resource. A list is read item by item: an item that cannot be read at all (no id) is skipped and counted,
 * and the others are kept. Fields the schemas do not name pass through untouched.
 */
import type { z } from 'zod';
import type { Logger } from '../logging/logger';
import { camelizeKeys } from './schemas';

export type ReadResult<T> = { ok: true; value: T; unreadable: string[] } | { ok: false; why: string };

const DROP = Symbol('drop');
/** Paths already reported, so a shape change is one warn line, not one per item and per call. */
const reported = new Set<string>();
/** How many fields one resource may lose before it counts as unreadable (a loop bound, not a policy). */
const MAX_PASSES = 16;

/** Reads `value` with `schema`; fields of an unexpected shape are dropped (and named) instead of failing. */
export function readLeniently<S extends z.ZodType>(schema: S, value: unknown): ReadResult<z.output<S>> {
  const first = schema.safeParse(value);
  if (first.success) return { ok: true, value: first.data, unreadable: [] };
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, why: 'not a JSON object' };
  // Work on a camel-cased copy: the issue paths use the schema's (camelCase) keys; the raw body stays as sent.
  const copy = structuredClone(camelizeKeys(value)) as Record<string, unknown>;
  const unreadable: string[] = [];
  let issues = first.error.issues;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let dropped = false;
    for (const issue of issues) {
      if (issue.path.length > 0 && dropAt(copy, issue.path)) {
        unreadable.push(pathName(issue.path));
        dropped = true;
      }
    }
    if (!dropped) break;
    purge(copy);
    const again = schema.safeParse(copy);
    if (again.success) return { ok: true, value: again.data, unreadable };
    issues = again.error.issues;
  }
  return { ok: false, why: issues.map((i) => `${pathName(i.path) || 'body'}: ${i.message}`).join('; ') };
}

/** Logs each unreadable path once per process, at warn, with the resource kind. Never the value. */
export function reportUnreadable(logger: Logger, kind: string, paths: readonly string[]): void {
  for (const p of paths) {
    const key = `${kind}.${p}`;
    if (reported.has(key)) continue;
    reported.add(key);
    logger.warn({ resource: kind, field: p }, 'partner center field in an unexpected shape: shown as unknown');
  }
}

function dropAt(root: Record<string, unknown>, path: readonly PropertyKey[]): boolean {
  let parent: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (!parent || typeof parent !== 'object') return false;
    parent = (parent as Record<PropertyKey, unknown>)[key];
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
    parent[last] = DROP; // removed after this pass, so the other issues' indexes still hold
    return true;
  }
  if (parent && typeof parent === 'object' && !Array.isArray(parent) && Object.hasOwn(parent, last)) {
    delete (parent as Record<PropertyKey, unknown>)[last];
    return true;
  }
  return false;
}

function purge(node: unknown): void {
  if (Array.isArray(node)) {
    for (let i = node.length - 1; i >= 0; i--) if (node[i] === DROP) node.splice(i, 1);
    node.forEach(purge);
  } else if (node && typeof node === 'object') {
    Object.values(node).forEach(purge);
  }
}

/** `refundableQuantity.details[].quantity`: array indexes folded, so one shape change is one name. */
function pathName(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[]` : s ? `${s}.${String(k)}` : String(k)), '');
}
