/**
 * Benchmark helpers: a part of a benchmark (a bot instance, the sandbox, Teams' connector) in its own
 * process, so each process's memory and CPU are its own. The parent calls the child's named handlers over
 * Node's IPC channel; the child answers each call.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

type Handlers = Record<string, (params: any) => unknown>;

interface Call {
  id: number;
  method: string;
  params: unknown;
}

/** In the child: answer the parent's calls, then say "ready". */
export function serve(handlers: Handlers): void {
  process.on('message', (m: Call) => {
    void (async () => {
      try {
        const fn = handlers[m.method];
        if (!fn) throw new Error(`no handler ${m.method}`);
        process.send!({ id: m.id, result: (await fn(m.params)) ?? null });
      } catch (e) {
        process.send!({ id: m.id, error: e instanceof Error ? e.stack ?? e.message : String(e) });
      }
    })();
  });
  // The parent went away: so does the child.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0)); // exits normally: a CPU profile is written
  process.send!({ ready: true });
}

export interface Child {
  pid: number;
  call<T = unknown>(method: string, params?: unknown): Promise<T>;
  /** Peak resident set size (VmHWM) of the child, in bytes. */
  peakRss(): number;
  /** Current resident set size (VmRSS) of the child, in bytes. */
  rss(): number;
  kill(): Promise<void>;
}

function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Starts `script` (a sibling module, compiled or under tsx) in its own Node process. */
export async function spawnChild(script: string, env: Record<string, string> = {}, execArgv: string[] = []): Promise<Child> {
  const child: ChildProcess = fork(script, [], { env: { ...process.env, ...env }, execArgv: [...process.execArgv, ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited ${code} before it was ready`)));
    child.on('message', (m: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
      if (m.ready) return resolve();
      const w = waiting.get(m.id!);
      waiting.delete(m.id!);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    });
  });
  child.on('exit', () => {
    for (const w of waiting.values()) w.reject(new Error(`${script} exited`));
    waiting.clear();
  });
  return {
    pid: child.pid!,
    call: <T>(method: string, params?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = ++next;
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, method, params });
      }),
    peakRss: () => procStatus(child.pid!, 'VmHWM'),
    rss: () => procStatus(child.pid!, 'VmRSS'),
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/** The path of a sibling module of `from` (same extension: .js compiled, .ts under tsx). */
export function sibling(from: string, name: string): string {
  return from.replace(/[^/\\]+\.(js|ts)$/, `${name}.$1`);
}
