/**
 * /readyz asks storage whether it can serve (a write, sync, read and delete; two Blob transactions in
 * production). Anyone may ask, as often as they like: the probe runs at most once per `intervalMs`, the
 * answer in between is the last probe's, and callers arriving while a probe runs share it.
 */
import type { Clock } from '../util/clock';

export const READY_PROBE_INTERVAL_MS = 5_000;

export type Readiness = { ok: true } | { ok: false; error: unknown };

export function cachedProbe(probe: () => Promise<void>, clock: Pick<Clock, 'now'>, intervalMs = READY_PROBE_INTERVAL_MS): () => Promise<Readiness> {
  let last: { at: number; result: Readiness } | undefined;
  let running: Promise<Readiness> | undefined;
  return () => {
    if (last && clock.now() - last.at < intervalMs) return Promise.resolve(last.result);
    running ??= probe()
      .then((): Readiness => ({ ok: true }), (error: unknown): Readiness => ({ ok: false, error }))
      .then((result) => {
        last = { at: clock.now(), result };
        running = undefined;
        return result;
      });
    return running;
  };
}
