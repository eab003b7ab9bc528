/**
 * Injected faults: tests script the failures a real network and service produce (5xx, throttling,
 * resets, slowness) to prove the client's retry and timeout behaviour.
 */
import type { FaultSpec } from './types';

interface ArmedFault {
  spec: FaultSpec;
  remaining: number;
}

export class FaultQueue {
  private armed: ArmedFault[] = [];

  add(spec: FaultSpec): void {
    this.armed.push({ spec, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.armed = [];
  }

  /** The first fault matching the request, consumed once; faults are tried in the order injected. */
  take(method: string, path: string): FaultSpec | null {
    const found = this.armed.find((f) => f.remaining > 0 && matches(f.spec, method, path));
    if (!found) return null;
    found.remaining -= 1;
    this.armed = this.armed.filter((f) => f.remaining > 0);
    return found.spec;
  }
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.path === undefined) return true;
  if (spec.path instanceof RegExp) return spec.path.test(path);
  return stripTrailingSlash(spec.path) === stripTrailingSlash(path);
}

export function stripTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
