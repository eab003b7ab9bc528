/**
 * Starts the Microsoft 365 Agents Playground (the local Teams client) as a child process, bound to
 * 127.0.0.1, pointed at the bot's endpoint, and waits until it answers `/_debug/ping`.
 *
 * The Playground has no host option and binds every interface, so it runs with a `-r` preload
 * (bind-loopback.js) that forces 127.0.0.1. Its UI and its mock Bot Connector share one port; when the
 * requested port is taken the Playground silently picks another one, which would break the service URL
 * the bot replies to, so the port is chosen here and checked against the one it reports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { loopbackPreload, playgroundCli, projectRoot } from './paths';

export const DEFAULT_PLAYGROUND_PORT = 56150;

export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  botEndpoint: string;
  /** Port for the UI and the mock connector. 0 = any free port. Default 56150. */
  port?: number;
  /** When the port is taken: use another free port (default) or fail. */
  strictPort?: boolean;
  /** Working directory: where `.m365agentsplayground.yml` and `devTools/` are. Default: the project root. */
  cwd?: string;
  /** Mock tenant/users/chats file; default `<cwd>/.m365agentsplayground.yml`. */
  configPath?: string;
  /** Default `<cwd>/devTools/m365agentsplayground.log`. */
  logFile?: string;
  startTimeoutMs?: number;
  /** Each line the Playground prints (it also writes them to its log file). */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface Playground {
  /** The UI, e.g. http://127.0.0.1:56150 */
  url: string;
  port: number;
  /** The mock Bot Connector the bot replies to. */
  serviceUrl: string;
  logFile: string;
  child: ChildProcess;
  /** Ends the Playground process (SIGTERM, then SIGKILL after a grace period). Safe to call twice. */
  stop(): Promise<void>;
}

export class PlaygroundError extends Error {
  override name = 'PlaygroundError';
}

/** True when nothing listens on 127.0.0.1:port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port the OS considers free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function ping(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_debug/ping`, { signal: AbortSignal.timeout(2_000) });
    return res.ok && (await res.text()).trim() === 'pong';
  } catch {
    return false;
  }
}

/** The log file's lines (the Playground starts it afresh each run), or undefined when unreadable. */
function logLines(file: string): string[] | undefined {
  try {
    const text = readFileSync(file, 'utf8');
    return text ? text.split(/\r?\n/) : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPlayground(o: PlaygroundOptions): Promise<Playground> {
  const root = projectRoot();
  const cli = playgroundCli(root);
  if (!cli) {
    throw new PlaygroundError(
      'The Microsoft 365 Agents Playground is not installed (@microsoft/m365agentsplayground is a devDependency: run npm install).',
    );
  }
  const cwd = o.cwd ?? root;
  const logFile = o.logFile ?? join(cwd, 'devTools', 'm365agentsplayground.log');
  const requested = o.port ?? DEFAULT_PLAYGROUND_PORT;
  let port = requested === 0 ? await freePort() : requested;
  if (requested !== 0 && !(await isPortFree(port))) {
    if (o.strictPort) throw new PlaygroundError(`Port ${port} on 127.0.0.1 is already in use: the Playground cannot start.`);
    port = await freePort();
  }

  // The port can still be taken between the check and the Playground's own listen: try a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch({ ...o, cli, cwd, logFile, port });
    } catch (e) {
      if (!(e instanceof PortMovedError) || attempt >= 3 || o.strictPort) throw e;
      port = await freePort();
    }
  }
}

class PortMovedError extends PlaygroundError {}

async function launch(o: PlaygroundOptions & { cli: string; cwd: string; logFile: string; port: number }): Promise<Playground> {
  const url = `http://127.0.0.1:${o.port}`;
  const serviceUrl = `${url}/_connector`;
  const args = [
    '-r', loopbackPreload(),
    o.cli,
    '-e', o.botEndpoint,
    '-c', 'msteams',
    '-p', String(o.port),
    '--service-url', serviceUrl,
    '--disable-telemetry',
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The launcher decides whether to open a browser, and opens the 127.0.0.1 URL.
    TEAMSAPPTESTER_BROWSER: 'none',
    M365_AGENTS_PLAYGROUND_LOGFILE: o.logFile,
  };
  if (o.configPath) env.M365_AGENTS_PLAYGROUND_CONFIG_PATH = o.configPath;

  const child = spawn(process.execPath, args, { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let listeningOn: number | undefined;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (e) => {
    spawnError = e;
  });
  for (const stream of ['stdout', 'stderr'] as const) {
    let partial = '';
    child[stream]!.setEncoding('utf8');
    child[stream]!.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        if (output.length > 50) output.shift();
        const m = /^Listening on (\d+)/.exec(line.trim());
        if (m) listeningOn = Number(m[1]);
        o.onOutput?.(line, stream);
      }
    });
  }

  let stopped = false;
  const stop = async () => {
    if (stopped) return exitPromise;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => {
        if (!exited) child.kill('SIGKILL');
      }, 5_000);
      await exitPromise;
      clearTimeout(killer);
    }
  };
  const fail = async (message: string, E: typeof PlaygroundError = PlaygroundError) => {
    await stop();
    // The Playground reports its errors (e.g. an invalid .m365agentsplayground.yml) only in its log file.
    const tail = (logLines(o.logFile) ?? output).filter((l) => l.trim() && !l.startsWith('debug ')).slice(-12).join('\n');
    return new E(`${message}${tail ? `\nPlayground output:\n${tail}` : ''}\nPlayground log: ${o.logFile}`);
  };

  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  for (;;) {
    if (spawnError) throw await fail(`The Playground could not be started: ${spawnError.message}`);
    if (exited) throw await fail(`The Playground exited during start-up (code ${exited.code ?? exited.signal}).`);
    if (listeningOn !== undefined && listeningOn !== o.port) {
      throw await fail(`Port ${o.port} was taken; the Playground moved to ${listeningOn}.`, PortMovedError);
    }
    if (listeningOn === o.port && (await ping(url))) break;
    if (Date.now() > deadline) throw await fail(`The Playground did not answer ${url}/_debug/ping in time.`);
    await sleep(150);
  }
  return { url, port: o.port, serviceUrl, logFile: o.logFile, child, stop };
}
