/**
 * The processes a benchmark drives, each on its own so that a bot's CPU time is the bot's alone:
 *
 *   node dist/bench/processes.js connector   the local Bot Framework connector: answers {"id":"x"}, counts
 *   node dist/bench/processes.js services    the Partner Center sandbox (dev/sandbox) and the local token
 *                                            authority (dev/authority), as `npm start` runs them
 *   node dist/bench/processes.js product     the real bot: production's start() against those services
 *   node dist/bench/processes.js minimal     a teams-ai bot answering `pong`: the product's adapter class,
 *                                            Application options and HTTP front door (src/http/server.ts)
 *   node dist/bench/processes.js equal       the equal-work bot: teams-ai, restify and fetch only, no product
 *                                            code; does what `sr «id»` does (one GET of the service request
 *                                            from the sandbox with a bearer token, one card posted: the
 *                                            product's own rendered reply, captured once before the rounds)
 *   node dist/bench/processes.js raw         a raw node:http server answering 200 (the harness's ceiling)
 *
 * Each is started with child_process.fork and speaks over its IPC channel: it sends {ready: ...} once
 * listening, then answers requests {id, op, ...} with {id, result} or {id, error}. Every process answers
 * `cpu` (its own process.cpuUsage()), `profile-start` / `profile-stop` (V8's CPU profiler, the one behind
 * `node --cpu-prof`, around the measured rounds only: the .cpuprofile is written where asked) and `exit`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Role = 'connector' | 'services' | 'product' | 'minimal' | 'equal' | 'raw';

type Handler = (msg: Record<string, unknown>) => unknown;

// ---------------------------------------------------------------------------------------------------------
// Parent side

export interface Child {
  proc: ChildProcess;
  ready: Record<string, unknown>;
  call<T = unknown>(op: string, args?: Record<string, unknown>): Promise<T>;
  /** CPU time (user + system, all threads) this process has used so far, in ms. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

/** Forks a role and waits until it is ready; `init` is handed to it first (e.g. where the services are). */
export function startChild(role: Role, init: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  // restify's DEP0111 is silenced in every child, as `npm test` and the product's entries silence it.
  const execArgv = [...process.execArgv, '--disable-warning=DEP0111'];
  const proc = fork(join(__dirname, 'processes.js'), [role], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => {
      for (const p of pending.values()) p.reject(new Error(`${role} exited (${code})`));
      reject(new Error(`${role} exited (${code}) before it was ready`));
    };
    proc.once('exit', onExit);
    proc.on('message', (m: Record<string, unknown>) => {
      if ('ready' in m) {
        const child: Child = {
          proc,
          ready: m.ready as Record<string, unknown>,
          call: <T>(op: string, args: Record<string, unknown> = {}) =>
            new Promise<T>((res, rej) => {
              const id = ++seq;
              pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
              proc.send({ ...args, id, op });
            }),
          cpuMs: async () => {
            const u = await child.call<NodeJS.CpuUsage>('cpu');
            return (u.user + u.system) / 1000;
          },
          close: async () => {
            if (proc.exitCode !== null) return;
            const gone = new Promise<void>((r) => proc.once('exit', () => r()));
            proc.off('exit', onExit);
            proc.send({ id: 0, op: 'exit' });
            await gone;
          },
        };
        resolve(child);
        return;
      }
      const p = pending.get(m.id as number);
      if (!p) return;
      pending.delete(m.id as number);
      if ('error' in m) p.reject(new Error(String(m.error)));
      else p.resolve(m.result);
    });
    proc.send({ init });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Child side

function serve(ready: Record<string, unknown>, handlers: Record<string, Handler>, close: () => Promise<void>): void {
  let session: Session | undefined;
  const common: Record<string, Handler> = {
    cpu: () => process.cpuUsage(),
    'profile-start': async () => {
      session = new Session();
      session.connect();
      const post = (method: string, params?: object) => new Promise<unknown>((r, j) => session!.post(method, params ?? {}, (e, v) => (e ? j(e) : r(v))));
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    'profile-stop': async (m) => {
      const s = session!;
      const { profile } = await new Promise<{ profile: unknown }>((r, j) => s.post('Profiler.stop', (e, v) => (e ? j(e) : r(v as { profile: unknown }))));
      s.disconnect();
      session = undefined;
      writeFileSync(m.file as string, JSON.stringify(profile));
    },
  };
  process.on('message', async (m: Record<string, unknown>) => {
    if (m.op === 'exit') {
      await close().catch(() => undefined);
      process.exit(0);
    }
    const h = handlers[m.op as string] ?? common[m.op as string];
    try {
      if (!h) throw new Error(`unknown op ${String(m.op)}`);
      process.send!({ id: m.id, result: (await h(m)) ?? null });
    } catch (e) {
      process.send!({ id: m.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
  process.send!({ ready });
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The local connector: answers at once, counts, and keeps bodies only when asked (to check the replies). */
async function connector(): Promise<void> {
  const reply = Buffer.from('{"id":"x"}');
  let calls = 0;
  let captured: string[] | null = null;
  const server = http.createServer((req, res) => {
    calls++;
    const keep = captured;
    if (keep) {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => keep.push(`${req.method} ${req.url} ${Buffer.concat(chunks).toString('utf8')}`));
    } else {
      req.resume();
    }
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
      res.end(reply);
    });
  });
  server.keepAliveTimeout = 60_000;
  const url = await listen(server);
  serve(
    { url },
    {
      calls: () => calls,
      capture: () => void (captured = []),
      captured: () => {
        const got = captured ?? [];
        captured = null;
        return got;
      },
    },
    () => closeServer(server),
  );
}

/** The Partner Center sandbox and the token authority; hands the bot what `npm start` would. */
async function services(init: Record<string, unknown>): Promise<void> {
  const { loadConfig } = require('../src/config') as typeof import('../src/config');
  const { startSandboxServices } = require('../dev/compose') as typeof import('../dev/compose');
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const s = await startSandboxServices(config, { latencyMs: Number(init.latencyMs ?? 0) });
  const actor = init.actor as { oid: string; tid: string; name: string };
  // The SSO token Teams would send for the benchmark's one user (as dev/compose mints it for the Playground).
  s.authority.user({ oid: actor.oid, tid: actor.tid, name: actor.name, upn: 'alice@sandbox.onmicrosoft.com' });
  const ssoToken = s.authority.mintSsoToken(actor.oid, s.app.appIdUri, 24 * 3600);
  // The equal-work bot's bearer token: what the product's on-behalf-of exchange yields (audience: Partner
  // Center), minted once, as the product's token cache serves every command after the first.
  const scope = config.partnerCenter.scope;
  const pcToken = s.authority.mintSsoToken(actor.oid, scope.slice(0, scope.lastIndexOf('/')), 24 * 3600);
  serve(
    {
      sandboxUrl: s.sandbox.url,
      ssoToken,
      pcToken,
      identity: {
        clientId: s.app.clientId,
        clientSecret: s.app.clientSecret,
        authority: s.authority.authorityUrl('organizations'),
        knownAuthority: { host: s.authority.host, metadata: s.authority.openIdConfiguration('organizations') },
        caPem: s.authority.caPem,
        scope: config.partnerCenter.scope,
        cacheSecret: s.cacheSecret,
      },
    },
    {
      /** The sandbox's requests since the last ask: how many, and how many were not a GET answered 200. */
      requests: () => {
        const reqs = s.sandbox.requests;
        const bad = reqs.filter((r) => r.method !== 'GET' || r.status !== 200).length;
        const n = reqs.length;
        reqs.length = 0;
        return { n, bad };
      },
    },
    async () => {
      await s.sandbox.close();
      await s.authority.close();
    },
  );
}

/** The real bot, as `npm start` runs it against the sandbox, minus the sandbox (it is in its own process). */
async function product(init: Record<string, unknown>): Promise<void> {
  const { loadConfig } = require('../src/config') as typeof import('../src/config');
  const { createLogger } = require('../src/logging/logger') as typeof import('../src/logging/logger');
  const { start } = require('../src/main') as typeof import('../src/main');
  const { signInWithoutUi } = require('../dev/compose') as typeof import('../dev/compose');
  const level = String(init.logLevel ?? 'silent');
  const config = loadConfig({ PORT: '0', LOG_LEVEL: level, DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-product-')) });
  const logger = createLogger({ level: config.logLevel, destination: devNull(level) });
  const ssoToken = init.ssoToken as string;
  const running = await start(config, logger, {
    partnerCenterBaseUrl: init.sandboxUrl as string,
    identity: init.identity as never,
    wrapTokens: (tokens, identity) => signInWithoutUi(tokens, identity, () => ssoToken),
  });
  serve({ url: `${running.server.url}/api/messages` }, {}, () => running.stop());
}

/** The floor: a teams-ai bot answering `pong`, built from the product's own adapter, Application options and front door. */
async function minimal(init: Record<string, unknown>): Promise<void> {
  const { createLogger } = require('../src/logging/logger') as typeof import('../src/logging/logger');
  const { createAdapter, createApplication } = require('../src/teams/app') as typeof import('../src/teams/app');
  const { BackgroundWork } = require('../src/teams/background') as typeof import('../src/teams/background');
  const { startServer } = require('../src/http/server') as typeof import('../src/http/server');
  const level = String(init.logLevel ?? 'silent');
  const logger = createLogger({ level: level as 'silent', destination: devNull(level) });
  const adapter = createAdapter({ type: 'MultiTenant' });
  const app = createApplication(adapter, '');
  app.message(/.*/, async (ctx) => {
    await ctx.sendActivity('pong');
  });
  const server = await startServer({ bot: { adapter, app, background: new BackgroundWork(logger) }, logger, port: 0, host: '127.0.0.1' });
  serve({ url: `${server.url}/api/messages` }, {}, () => server.close());
}

/**
 * Equal work, with no product code: teams-ai, restify and fetch. `sr «id»`: one GET of the service request
 * from the same sandbox with a bearer token and Partner Center's request headers, a check that it is the one
 * asked for, the product's card for it posted as the reply, and one log line at info per turn.
 */
async function equal(init: Record<string, unknown>): Promise<void> {
  const restify = require('restify') as typeof import('restify');
  const { Application, TeamsAdapter } = require('@microsoft/teams-ai') as typeof import('@microsoft/teams-ai');
  const pino = require('pino') as typeof import('pino');
  const { randomUUID } = require('node:crypto') as typeof import('node:crypto');
  const level = String(init.logLevel ?? 'silent');
  const log = pino({ level }, devNull(level) ?? pino.destination('/dev/null'));
  const sandboxUrl = init.sandboxUrl as string;
  const token = init.pcToken as string;
  const reply = init.reply as { attachments: unknown[] };
  const adapter = new TeamsAdapter({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' });
  const app = new Application({ adapter, botAppId: '', removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });
  app.message(/^\s*sr\s+(\S+)\s*$/i, async (ctx) => {
    const started = performance.now();
    const id = /^\s*sr\s+(\S+)/i.exec(ctx.activity.text ?? '')![1]!;
    const requestId = randomUUID();
    const res = await fetch(`${sandboxUrl}/v1/servicerequests/${encodeURIComponent(id)}`, {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'ms-contract-version': 'v1',
        'ms-requestid': requestId,
        'ms-correlationid': randomUUID(),
        'x-locale': ctx.activity.locale ?? 'en-US',
      },
    });
    const sr = (await res.json()) as { id?: string };
    if (res.status !== 200 || sr.id !== id) throw new Error(`GET service request: ${res.status}`);
    await ctx.sendActivity({ type: 'message', attachments: reply.attachments as never });
    log.info({ command: 'sr', outcome: 'ok', ms: Math.round(performance.now() - started), calls: [{ status: res.status, requestId }] }, 'turn');
  });
  const server = restify.createServer({ name: '', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => app.run(context).then(() => undefined));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  serve({ url: `http://127.0.0.1:${port}/api/messages` }, {}, () => new Promise<void>((r) => server.close(() => r())));
}

async function raw(): Promise<void> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  const url = await listen(server);
  serve({ url: `${url}/api/messages` }, {}, () => closeServer(server));
}

/** Log lines, when asked for, are written as production writes them (pino to a file descriptor), to /dev/null. */
function devNull(level: string) {
  if (level === 'silent') return undefined;
  const pino = require('pino') as typeof import('pino');
  return pino.destination({ dest: '/dev/null', sync: false });
}

if (require.main === module) {
  const role = process.argv[2] as Role;
  const roles: Record<Role, (init: Record<string, unknown>) => Promise<void>> = { connector, services, product, minimal, equal, raw };
  process.once('message', (m: { init: Record<string, unknown> }) => {
    roles[role](m.init).catch((e) => {
      console.error(e);
      process.exit(1);
    });
  });
}
