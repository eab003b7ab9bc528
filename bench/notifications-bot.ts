/**
 * One bot instance of the notifications benchmark, in its own process (so its RSS is its own): the real
 * start(), on the shared Azure Blob store (Azurite), pointed at the sandbox process by URL. The parent
 * runs its notification cycles.
 */
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logging/logger';
import { startDev as start, type SandboxServices } from '../dev/compose';
import { BlobStateStore } from '../src/storage/blob';
import { serve } from './child';

let session: import('node:inspector').Session | undefined;
function inspectorPost(method: string, params?: object): Promise<unknown> {
  if (!session) {
    const { Session } = require('node:inspector') as typeof import('node:inspector');
    session = new Session();
    session.connect();
  }
  return new Promise((resolve, reject) => session!.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));
}

async function main(): Promise<void> {
  const env = process.env;
  const info = JSON.parse(env.BENCH_SANDBOX!) as { sandboxUrl: string; authorityUrl: string; caPem: string; metadata: Record<string, unknown>; app: SandboxServices['app']; cacheSecret: string };
  // What start() uses of the sandbox services, reached over the network.
  const services = {
    sandbox: { url: info.sandboxUrl, close: async () => undefined },
    authority: {
      url: info.authorityUrl,
      host: new URL(info.authorityUrl).host,
      caPem: info.caPem,
      authorityUrl: (tenant: string) => `${info.authorityUrl}/${tenant}`,
      openIdConfiguration: () => info.metadata,
      close: async () => undefined,
    },
    app: info.app,
    cacheSecret: info.cacheSecret,
  } as unknown as SandboxServices;
  const config = loadConfig(env);
  const running = await start(config, createLogger({ level: 'silent' }), {
    state: new BlobStateStore(env.AZURE_STORAGE_CONNECTION_STRING!, config.storage.container),
    sandboxServices: services,
    sandboxSso: false,
    notifierAutoStart: false,
  });
  serve({
    cycle: () => running.notifier.cycle(),
    signIn: (p: { user: { id: string; name: string; tenantId: string }; ssoToken: string }) => running.identity!.exchange(p.user, p.ssoToken),
    memory: () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage();
    },
    heapSnapshot: (file: string) => require('node:v8').writeHeapSnapshot(file),
    /** CPU this process used so far (user + system), in ms. */
    cpuMs: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    },
    /**
     * Sampling heap profile of what is allocated from now until heapSampleStop, objects that a major GC
     * collected included (garbage that lived long enough to be promoted: what makes the old space grow).
     */
    heapSampleStart: () => inspectorPost('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false }),
    heapSampleStop: async (file: string) => {
      const { profile } = (await inspectorPost('HeapProfiler.stopSampling')) as { profile: unknown };
      require('node:fs').writeFileSync(file, JSON.stringify(profile));
    },
    stop: () => running.stop(),
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
