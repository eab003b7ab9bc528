/**
 * Teams, as the bot sees it, on loopback: activities are POSTed to the real bot's /api/messages over the
 * Bot Framework protocol, and a local connector records what the bot sends back (replies, updates).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config';
import { startDev, type DevRunning, type DevStartOptions } from '../../dev/compose';
import { createLogger, type Logger } from '../../src/logging/logger';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../src/storage/file';
import type { AdaptiveCard } from '../../src/cards/render';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  activityId?: string;
  /** The id the connector gave the activity (what the bot later updates or replies to). */
  responseId: string;
  activity: {
    type?: string;
    text?: string;
    id?: string;
    replyToId?: string;
    attachments?: Array<{ contentType: string; content: AdaptiveCard }>;
  };
}

export interface Connector {
  url: string;
  calls: ConnectorCall[];
  close(): Promise<void>;
  /** Fail the next `times` calls with this status (e.g. 429 with Retry-After, 403 BotNotInConversationRoster). */
  failNext(status: number, times?: number, headers?: Record<string, string>, code?: string): void;
  clearFaults(): void;
  /** Every request, failed ones included. */
  attempts: Array<{ method: string; path: string; status: number }>;
  /**
   * Runs once a call is accepted (recorded in `calls`) and before its answer is sent: what happens to the
   * sender between Teams taking a message and the sender reading Teams' answer (a crash, in a test).
   */
  beforeAnswer?: (call: ConnectorCall) => void | Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startConnector(): Promise<Connector> {
  const calls: ConnectorCall[] = [];
  const faults: Array<{ status: number; headers: Record<string, string>; code: string }> = [];
  const attempts: Array<{ method: string; path: string; status: number }> = [];
  let n = 0;
  let connector: Connector | undefined;
  const server: Server = createServer(async (req, res) => {
    const text = await body(req);
    const m = /\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    const fault = faults.shift();
    attempts.push({ method: req.method ?? '', path: req.url ?? '', status: fault?.status ?? 200 });
    if (fault) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(JSON.stringify({ error: { code: fault.code, message: 'injected' } }));
      return;
    }
    const activity = text ? JSON.parse(text) : {};
    const id = req.method === 'PUT' ? decodeURIComponent(m?.[2] ?? '') : `msg-${++n}`;
    const call: ConnectorCall = {
      responseId: id,
      method: req.method ?? '',
      path: req.url ?? '',
      conversationId: decodeURIComponent(m?.[1] ?? ''),
      activityId: m?.[2] ? decodeURIComponent(m[2]) : undefined,
      activity,
    };
    calls.push(call);
    await connector?.beforeAnswer?.(call);
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  connector = {
    url: `http://127.0.0.1:${port}`,
    calls,
    attempts,
    failNext: (status, times = 1, headers = {}, code = 'Fault') => {
      for (let i = 0; i < times; i++) faults.push({ status, headers, code });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  return connector;
}

export interface Person {
  id: string;
  name: string;
  aadObjectId: string;
}

export const ALICE: Person = { id: '29:alice', name: 'Alice Admin', aadObjectId: 'a1a1a1a1-0000-4000-8000-000000000001' };
export const BOB: Person = { id: '29:bob', name: 'Bob Support', aadObjectId: 'b2b2b2b2-0000-4000-8000-000000000002' };
export const BOT = { id: '28:partner-ops', name: 'Partner Ops' };
export const TENANT = 'f0f0f0f0-1111-4222-8333-444444444444';

export interface Conversation {
  id: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
}

export const PERSONAL: Conversation = { id: 'a:personal-alice', conversationType: 'personal' };
export const GROUP: Conversation = { id: '19:group-chat@thread.v2', conversationType: 'groupChat' };
export const CHANNEL: Conversation = { id: '19:general@thread.tacv2;messageid=1700000000000', conversationType: 'channel' };

export interface TestBot {
  running: DevRunning;
  connector: Connector;
  url: string;
  /** Posts a message; resolves with the HTTP status once the bot's turn is over. */
  say(text: string, o?: { from?: Person; conversation?: Conversation; locale?: string; mention?: boolean; id?: string; timezone?: string }): Promise<number>;
  /** Sends an Action.Execute invoke; resolves with the invoke response body. */
  execute(
    verb: string,
    data: Record<string, unknown>,
    o?: { from?: Person; conversation?: Conversation; locale?: string; replyToId?: string; authentication?: Record<string, unknown> },
  ): Promise<{ status: number; body: { statusCode?: number; type?: string; value?: AdaptiveCard } }>;
  /** Sends any invoke (signin/tokenExchange, signin/verifyState…); resolves with the HTTP status and body. */
  invoke(name: string, value: unknown, o?: { from?: Person; conversation?: Conversation; locale?: string }): Promise<{ status: number; body: unknown }>;
  /** Cards and texts the connector received since the last call to `take`. */
  take(): ConnectorCall[];
  close(): Promise<void>;
}

export async function startTestBot(env: Record<string, string> = {}, options: DevStartOptions = {}, logger: Logger = createLogger({ level: 'silent' })): Promise<TestBot> {
  const connector = await startConnector();
  const config: Config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...env });
  // The store production builds: files in a fresh directory (removed on close), unless a test brings its
  // own (Azurite, or a directory it looks into).
  const dir = options.state ? undefined : mkdtempSync(path.join(tmpdir(), 'test-bot-'));
  const running = await startDev(config, logger, { ...(dir ? { state: new FileStateStore(dir) } : {}), ...options });
  const url = `${running.server.url}/api/messages`;
  let seen = 0;
  const activity = (o: { from?: Person; conversation?: Conversation; locale?: string; id?: string; timezone?: string }) => {
    const from = o.from ?? ALICE;
    const conversation = o.conversation ?? PERSONAL;
    return {
      id: o.id ?? randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      timestamp: new Date().toISOString(),
      locale: o.locale ?? 'en-US',
      // Teams sends the user's IANA time zone on messages.
      ...(o.timezone ? { localTimezone: o.timezone } : {}),
      from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
      recipient: BOT,
      conversation: { id: conversation.id, conversationType: conversation.conversationType, tenantId: TENANT, isGroup: conversation.conversationType !== 'personal' },
      channelData: { tenant: { id: TENANT }, ...(conversation.conversationType === 'channel' ? { channel: { id: '19:general@thread.tacv2' }, team: { id: '19:team@thread.tacv2' } } : {}) },
    };
  };
  const post = async (a: object) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  };
  return {
    running,
    connector,
    url,
    async say(text, o = {}) {
      const mention = o.mention ?? (o.conversation?.conversationType ?? 'personal') !== 'personal';
      const full = mention ? `<at>${BOT.name}</at> ${text}` : text;
      const entities = mention ? [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }] : [];
      return (await post({ ...activity(o), type: 'message', text: full, entities })).status;
    },
    async execute(verb, data, o = {}) {
      const r = await post({
        ...activity(o),
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: o.replyToId ?? 'msg-card',
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual', ...(o.authentication ? { authentication: o.authentication } : {}) },
      });
      return { status: r.status, body: r.body };
    },
    async invoke(name, value, o = {}) {
      return post({ ...activity(o), type: 'invoke', name, value });
    },
    take() {
      const out = connector.calls.slice(seen);
      seen = connector.calls.length;
      return out;
    },
    async close() {
      await running.stop();
      await connector.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Adaptive Card in a connector call (a reply or an update). */
export function cardOf(call: ConnectorCall | undefined): AdaptiveCard {
  const card = call?.activity.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
  if (!card) throw new Error(`no card in ${JSON.stringify(call?.activity)}`);
  return card;
}

/** Every piece of text a person would read on a card (TextBlocks, facts, button titles, input labels). */
export function textOf(card: unknown): string {
  const out: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    for (const k of ['text', 'title', 'value', 'label', 'placeholder']) if (typeof o[k] === 'string') out.push(o[k] as string);
    for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
  };
  walk(card);
  return out.join('\n');
}

/** An Action.Execute of a card: its title, verb and data. */
export type CardAction = { type?: string; verb?: string; title?: string; data?: Record<string, unknown> };

/** Every Action.Execute of a card, wherever it is (the card's actions, ActionSets, rows' selectActions). */
export function executeActions(card: unknown): CardAction[] {
  const out: CardAction[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.type === 'Action.Execute') out.push(o as CardAction);
    Object.values(o).forEach(walk);
  };
  walk(card);
  return out;
}
