/**
 * What `npm start` shows in its terminal: log lines a person can read, and the banner.
 *
 * Log lines are pino-pretty's one-liners ("[12:03:04] WARN: message {fields}") when stdout is a terminal and
 * NODE_ENV is not `production`; otherwise (piped, redirected, CI, production) the JSON lines production
 * writes, one object per line. Both are written synchronously, so a line logged before the banner is
 * printed before it. Production (`node dist/src/main.js`) always writes JSON (src/logging).
 */
import pino from 'pino';
import pretty from 'pino-pretty';

export interface TerminalOptions {
  /** Default: process.stdout.isTTY. */
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
  /** File descriptor or path to write to. Default: 1 (stdout). */
  dest?: number | string;
}

/** Whether log lines are pretty-printed rather than JSON. */
export function prettyLogs(o: TerminalOptions = {}): boolean {
  const env = o.env ?? process.env;
  return (o.isTTY ?? process.stdout.isTTY === true) && env.NODE_ENV !== 'production';
}

/** Where the development entry point's logger writes: pretty lines on a terminal, JSON otherwise. */
export function terminalLogDestination(o: TerminalOptions = {}): pino.DestinationStream {
  const dest = o.dest ?? 1;
  if (!prettyLogs(o)) return pino.destination({ dest, sync: true });
  return pretty({
    destination: dest,
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name,component',
    singleLine: true,
    // Child loggers name their part ("storage", "notifications", …): keep it, in front of the message.
    messageFormat: (log, messageKey) => `${typeof log.component === 'string' ? `${log.component}: ` : ''}${String(log[messageKey] ?? '')}`,
  });
}

export interface BannerOptions {
  sandbox: boolean;
  playgroundUrl: string;
  /** Whether a browser was opened on the address. */
  opened: boolean;
  /** Where the bot listens. */
  botEndpoint: string;
}

/** The banner `npm start` prints last, on its own, once everything is up. */
export function banner(o: BannerOptions): string {
  const rule = `  ${'─'.repeat(76)}`;
  return [
    '',
    rule,
    o.sandbox
      ? '  Partner Ops is running locally, against the embedded Partner Center sandbox.'
      : '  Partner Ops is running locally, against the configured Partner Center.',
    '',
    '  Open the Microsoft 365 Agents Playground (a local Teams client):',
    '',
    `      ${o.playgroundUrl}${o.opened ? '   (opened in your browser)' : ''}`,
    '',
    '  In "Personal Chat" type:   help  ·  sr list  ·  customer find contoso  ·  profile',
    '  In the group chat and the channels, @mention Partner Ops first.',
    `  Bot endpoint: ${o.botEndpoint}`,
    '  Ctrl+C stops everything.',
    rule,
    '',
    '',
  ].join('\n');
}
