/**
 * Bot instances in their own OS processes (test/support/instance-process.ts, run with tsx), for the tests
 * that kill one: what the parent starts them with and talks to them by.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ALICE, BOT, TENANT } from './teams';

const ROOT = join(__dirname, '../..');

export interface Instance {
  child: ChildProcess;
  url: string;
  output: string[];
}

/** Starts an instance; resolves with its URL once it says it is ready. */
export async function spawnInstance(id: string, env: Record<string, string>): Promise<Instance> {
  // tsx's loader in this very process (not its CLI, which would run the bot in a grandchild a kill misses).
  const tsx = (f: string) => join(ROOT, 'node_modules/tsx/dist', f);
  const args = ['--require', tsx('preflight.cjs'), '--import', pathToFileURL(tsx('loader.mjs')).href, join(ROOT, 'test/support/instance-process.ts')];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env, INSTANCE_ID: id }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${id} did not start:\n${output.join('')}`)), 45_000);
    child.stdout!.on('data', (b: Buffer) => {
      output.push(b.toString());
      const m = /ready (\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (b: Buffer) => output.push(b.toString()));
    child.once('exit', (code) => reject(new Error(`instance ${id} exited ${code}:\n${output.join('')}`)));
  });
  return { child, url, output };
}

/** Alice @mentions the bot in a channel with `text`, over the Bot Framework protocol; resolves with the HTTP status. */
export function sayInChannel(instance: Instance, serviceUrl: string, conversationId: string, text: string): Promise<number> {
  return fetch(`${instance.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl,
      locale: 'en-US',
      from: { id: ALICE.id, name: ALICE.name, aadObjectId: ALICE.aadObjectId },
      recipient: BOT,
      conversation: { id: conversationId, conversationType: 'channel', tenantId: TENANT, isGroup: true },
      channelData: { tenant: { id: TENANT } },
      text: `<at>${BOT.name}</at> ${text}`,
      entities: [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }],
    }),
  }).then((r) => r.status);
}
