/**
 * The notifications benchmark's Partner Center sandbox and token authority, in their own process: the
 * parent seeds service requests, changes some, and counts the Partner Center calls the bots made.
 */
import { loadConfig } from '../src/config';
import { startSandboxServices } from '../dev/compose';
import type { StoredServiceRequest } from '../dev/sandbox/model';
import { serve } from './child';

async function main(): Promise<void> {
  const config = loadConfig({});
  const services = await startSandboxServices(config);
  const { sandbox, authority } = services;
  const added: StoredServiceRequest[] = [];
  serve({
    info: () => ({
      sandboxUrl: sandbox.url,
      authorityUrl: authority.url,
      caPem: authority.caPem,
      metadata: authority.openIdConfiguration('organizations'),
      app: services.app,
      cacheSecret: services.cacheSecret,
    }),
    latency: (ms: number) => sandbox.setOptions({ latencyMs: ms }),
    /** Adds `count` open service requests; returns their ids. */
    seed: (count: number) => {
      const template = sandbox.data.serviceRequests[0]!;
      for (let i = 0; i < count; i++) {
        const copy: StoredServiceRequest = JSON.parse(JSON.stringify(template));
        copy.resource.id = String(700000000000000 + added.length);
        copy.resource.title = `Benchmark request ${added.length}`;
        copy.resource.status = 'open';
        sandbox.data.serviceRequests.push(copy);
        added.push(copy);
      }
      return added.map((s) => ({ id: s.resource.id, notes: s.resource.notes?.length ?? 0, lastNote: s.resource.notes?.at(-1)?.text ?? undefined }));
    },
    /** Flips the status (open ↔ attention needed) of the seeded requests at these indexes. */
    change: (indexes: number[]) => {
      for (const i of indexes) {
        const r = added[i]!.resource;
        r.status = r.status === 'open' ? 'attention_needed' : 'open';
      }
    },
    /** Partner Center calls so far. */
    calls: () => sandbox.requests.length,
    /** Drops the recorded calls (they hold memory). */
    forget: () => void (sandbox.requests.length = 0),
    /** A Teams SSO token for this user (they "sign in" once). */
    ssoToken: (u: { id: string; tenantId: string; name: string }) => {
      authority.user({ oid: u.id, tid: u.tenantId, name: u.name });
      return authority.mintSsoToken(u.id, config.aad.appIdUri);
    },
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
