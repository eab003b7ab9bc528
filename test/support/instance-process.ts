/**
 * One bot instance in its own OS process, for the scale-out test: the real start(), pointed at the parent
 * test's Partner Center sandbox and token authority (by URL) and at a shared Azure Blob store (Azurite).
 * Prints "ready <url>" when listening; SIGTERM stops it cleanly, SIGKILL kills it like a crashed host.
 */
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging/logger';
import { startDev, type SandboxServices } from '../../dev/compose';
import { BlobStateStore } from '../../src/storage/blob';

async function main(): Promise<void> {
  const env = process.env;
  const meta = JSON.parse(env.TEST_AUTHORITY_METADATA!) as Record<string, unknown>;
  // What start() uses of the sandbox services, reached over the network instead of in memory.
  const services = {
    sandbox: { url: env.TEST_SANDBOX_URL!, close: async () => undefined },
    authority: {
      url: env.TEST_AUTHORITY_URL!,
      host: new URL(env.TEST_AUTHORITY_URL!).host,
      caPem: env.TEST_AUTHORITY_CA!,
      authorityUrl: (tenant: string) => `${env.TEST_AUTHORITY_URL}/${tenant}`,
      openIdConfiguration: () => meta,
      close: async () => undefined,
    },
    app: JSON.parse(env.TEST_APP!) as SandboxServices['app'],
    cacheSecret: env.TEST_CACHE_SECRET!,
  } as unknown as SandboxServices;
  const config = loadConfig(env);
  const running = await startDev(config, createLogger({ level: config.logLevel }), {
    state: new BlobStateStore(env.AZURE_STORAGE_CONNECTION_STRING!, config.storage.container),
    sandboxServices: services,
    sandboxSso: false,
  });
  process.stdout.write(`ready ${running.server.url}\n`);
  process.once('SIGTERM', () => void running.stop().then(() => process.exit(0)));
}

main().catch((e) => {
  process.stderr.write(`instance failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
