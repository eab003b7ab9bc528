/** Test helpers: a controllable clock, unsigned JWTs, and a tiny fetch wrapper that reads the answer. */
import type { Sandbox } from '../../dev/sandbox';

export const DAY = 24 * 60 * 60 * 1000;

export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
}

export function fakeClock(start = Date.UTC(2025, 5, 2, 9, 0, 0)): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** An unsigned JWT: the sandbox reads claims (tid, name) but does not check signatures yet. */
export function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, the raw text when not JSON, or null when empty. */
  body: any; // any: tests read into arbitrary JSON, and a wrong path fails the assertion anyway
}

export interface CallOptions {
  token?: string | null;
  headers?: Record<string, string>;
  body?: unknown;
}

export async function call(sb: Sandbox, method: string, path: string, o: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...o.headers };
  const token = o.token === undefined ? 'test-token' : o.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (o.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  }
  const res = await fetch(sb.url + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export const get = (sb: Sandbox, path: string, o?: CallOptions) => call(sb, 'GET', path, o);
