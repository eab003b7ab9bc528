/**
 * What a route handler gets and returns. Handlers are synchronous functions over the in-memory state:
 * the wire work (body reading, headers, latency, faults) is done once, in server.ts.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from './auth';
import type { SandboxData } from './model';
import type { ResolvedOptions } from './types';
import { invalidInput, isObject, normaliseKeys } from './wire';

export interface Call {
  method: string;
  /** Path without query, trailing slash removed. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON with keys normalised to camelCase (see wire.normaliseKeys); undefined when empty. */
  body: unknown;
  caller: Caller;
  data: SandboxData;
  options: ResolvedOptions;
  now: number;
}

export interface ApiResponse {
  status: number;
  /** undefined: empty body (e.g. 202). */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (call: Call) => ApiResponse;

/** Query parameter names are case-insensitive on the service (`Size`, `size`). */
export function queryParam(call: Call, name: string): string | undefined {
  for (const [key, value] of call.query) if (key.toLowerCase() === name.toLowerCase()) return value;
  return undefined;
}

export function headerValue(call: Call, name: string): string | undefined {
  const v = call.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function objectBody(call: Call): Record<string, unknown> {
  if (!isObject(call.body)) throw invalidInput('The request body must be a JSON object.');
  return call.body;
}

/** An integer query parameter within [min, max], or the default when absent. */
export function intParam(call: Call, name: string, fallback: number, min: number, max: number): number {
  const raw = queryParam(call, name);
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidInput(`Query parameter '${name}' must be an integer from ${min} to ${max}; got '${raw}'.`);
  }
  return n;
}

export interface Filter {
  field: string;
  value: unknown;
  operator: string;
}

/** Partner Center filters are URL-encoded JSON: {"Field":"Status","Value":"open","Operator":"equals"}. */
export function filterParam(call: Call): Filter | null {
  const raw = queryParam(call, 'filter');
  if (raw === undefined || raw === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidInput(`Query parameter 'filter' must be URL-encoded JSON such as {"Field":"...","Value":"...","Operator":"..."}.`);
  }
  const f = normaliseKeys(parsed);
  const { field, value, operator } = isObject(f) ? f : {};
  if (typeof field !== 'string' || typeof operator !== 'string' || value === undefined || value === null) {
    throw invalidInput(`The filter needs Field, Value and Operator; got ${raw}.`);
  }
  return { field: field.toLowerCase(), value, operator: operator.toLowerCase() };
}

/** The request's own path and query, for `links.self`. */
export function selfUri(call: Call): string {
  const qs = call.query.toString();
  return qs ? `${call.path}?${qs}` : call.path;
}
