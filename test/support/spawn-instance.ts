/**
 * Bot instances in their own OS processes (test/support/instance-process.ts, run with tsx), for the tests
 * that kill one: what the parent starts them with and talks to them by.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SandboxServices } from '../../dev/compose';
import { loadConfig } from '../../src/config';
import { DelegatedIdentity } from '../../src/identity/delegated';
import { silentLogger } from '../../src/logging/logger';
import { KeyValueStore } from '../../src/storage';
import { BlobStateStore } from '../../src/storage/blob';
import { systemClock } from '../../src/util/clock';
import { ALICE, BOT, TENANT } from './teams';

const ROOT = join(__dirname, '../..');

export interface Instance {
  child: ChildProcess;
  url: string;
  output: string[];
}

/**
 * What instances on one Blob store share: Alice signed in once (Teams SSO), her token cache in that store,
 * encrypted with the shared secret; and the environment that points an instance at the sandbox, the token
 * authority and the store. `env` adds to it (intervals, the card signing key).
 */
export async function sharedInstanceEnv(
  services: SandboxServices,
  store: { connectionString: string; container: string },
  env: Record<string, string>,
): Promise<Record<string, string>> {
  const config = loadConfig({});
  services.authority.user({ oid: ALICE.aadObjectId, tid: TENANT, name: ALICE.name });
  const identity = new DelegatedIdentity(
    {
      clientId: services.app.clientId,
      clientSecret: services.app.clientSecret,
      authority: services.authority.authorityUrl('organizations'),
      knownAuthority: { host: services.authority.host, metadata: services.authority.openIdConfiguration('organizations') },
      caPem: services.authority.caPem,
      scope: config.partnerCenter.scope,
      cacheSecret: services.cacheSecret,
    },
    new KeyValueStore(new BlobStateStore(store.connectionString, store.container)),
    systemClock,
    silentLogger,
  );
  await identity.exchange({ id: ALICE.aadObjectId, name: ALICE.name, tenantId: TENANT }, services.authority.mintSsoToken(ALICE.aadObjectId, config.aad.appIdUri));
  return {
    PORT: '0',
    LOG_LEVEL: 'warn',
    AZURE_STORAGE_CONNECTION_STRING: store.connectionString,
    AZURE_STORAGE_CONTAINER: store.container,
    TEST_SANDBOX_URL: services.sandbox.url,
    TEST_AUTHORITY_URL: services.authority.url,
    TEST_AUTHORITY_CA: services.authority.caPem,
    TEST_AUTHORITY_METADATA: JSON.stringify(services.authority.openIdConfiguration('organizations')),
    TEST_APP: JSON.stringify(services.app),
    TEST_CACHE_SECRET: services.cacheSecret,
    ...env,
  };
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
