/** The transport's lazy view of node:http's response headers. */
import type { IncomingHttpHeaders } from 'node:http';

/** A header name as the Fetch standard accepts it (a token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** HTTP whitespace, which Headers strips from both ends of a value. */
const HTTP_WS = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/** Headers' methods, declared as methods (undici-types declares them as properties, which TS will not override). */
declare class HeadersMethods {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  getSetCookie(): string[];
  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void;
  entries(): IterableIterator<[string, string]>;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
}

/**
 * node:http's response headers as a Headers, filled only when something other than get/has is asked: most
 * calls read two or three headers, and filling a Headers costs more than the rest of the transport's work.
 * What it answers is what `new Headers()` with each header `set` (arrays joined with ", ") would answer.
 */
export class ResponseHeaders extends (Headers as unknown as typeof HeadersMethods) {
  #raw: IncomingHttpHeaders | undefined;

  constructor(raw: IncomingHttpHeaders) {
    super();
    this.#raw = raw;
  }

  #fill(): void {
    const raw = this.#raw;
    if (!raw) return;
    this.#raw = undefined;
    for (const [k, v] of Object.entries(raw)) if (v !== undefined) super.set(k, Array.isArray(v) ? v.join(', ') : v);
  }

  /** The raw value of a valid header name, or undefined when the answer must come from the filled Headers. */
  #lookup(name: string): { value: string | null } | undefined {
    const raw = this.#raw;
    if (!raw || typeof name !== 'string' || !HEADER_NAME.test(name)) return undefined;
    const key = name.toLowerCase();
    if (!Object.prototype.hasOwnProperty.call(raw, key)) return { value: null };
    const v = raw[key];
    if (v === undefined) return { value: null };
    return { value: (Array.isArray(v) ? v.join(', ') : v).replace(HTTP_WS, '') };
  }

  override get(name: string): string | null {
    const found = this.#lookup(name);
    if (found) return found.value;
    this.#fill();
    return super.get(name);
  }

  override has(name: string): boolean {
    const found = this.#lookup(name);
    if (found) return found.value !== null;
    this.#fill();
    return super.has(name);
  }

  override set(name: string, value: string): void {
    this.#fill();
    super.set(name, value);
  }

  override append(name: string, value: string): void {
    this.#fill();
    super.append(name, value);
  }

  override delete(name: string): void {
    this.#fill();
    super.delete(name);
  }

  override getSetCookie(): string[] {
    this.#fill();
    return super.getSetCookie();
  }

  override forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    this.#fill();
    super.forEach(callback, thisArg);
  }

  override entries(): IterableIterator<[string, string]> {
    this.#fill();
    return super.entries();
  }

  override keys(): IterableIterator<string> {
    this.#fill();
    return super.keys();
  }

  override values(): IterableIterator<string> {
    this.#fill();
    return super.values();
  }

  override [Symbol.iterator](): IterableIterator<[string, string]> {
    this.#fill();
    return super[Symbol.iterator]();
  }
}
