/**
 * The notifications benchmark's Partner Center sandbox and token authority, in their own process: the
 * parent seeds service requests, changes some, and counts the Partner Center calls the bots made.
 */
import { loadConfig } from '../src/config';
import { startSandboxServices } from '../dev/compose';
import type { StoredServiceRequest, StoredSubscription } from '../dev/sandbox/model';
import { recordSubscriptionUpdate } from '../dev/sandbox/audit-records';
import type { Call } from '../dev/sandbox/call';
import { serve } from './child';

async function main(): Promise<void> {
  const config = loadConfig({});
  const services = await startSandboxServices(config);
  const { sandbox, authority } = services;
  const added: StoredServiceRequest[] = [];
  const subs: StoredSubscription[] = [];
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
    /**
     * Adds `count` customers with one subscription each (copies of a seeded new-commerce one); returns them
     * with what `watch subs` would have seen.
     */
    seedCustomers: (count: number) => {
      const template = sandbox.data.subscriptions.find((s) => s.resource.termDuration === 'P1M' && s.resource.status === 'active') ?? sandbox.data.subscriptions[0]!;
      for (let i = 0; i < count; i++) {
        const n = String(subs.length).padStart(12, '0');
        const customerId = `c0ffee00-0000-4000-8000-${n}`;
        sandbox.data.customers.push({ id: customerId, companyName: `Benchmark customer ${subs.length}`, domain: `bench${subs.length}.onmicrosoft.com`, relationshipEnded: false });
        const copy: StoredSubscription = JSON.parse(JSON.stringify(template));
        copy.customerId = customerId;
        copy.resource.id = `5b5c0000-0000-4000-8000-${n}`;
        copy.pending = null;
        sandbox.data.subscriptions.push(copy);
        subs.push(copy);
      }
      return subs.map((s) => ({ customerId: s.customerId, id: s.resource.id, status: String(s.resource.status), quantity: s.resource.quantity, title: String(s.resource.friendlyName || s.resource.offerName || s.resource.id) }));
    },
    /**
     * Changes the seats of the benchmark customers at these indexes as another tool or the portal would: the
     * activity log records each change, exactly as for a PATCH the sandbox accepts (recordSubscriptionUpdate).
     */
    changeCustomers: (indexes: number[]) => {
      const now = Date.now();
      for (const i of indexes) {
        const sub = subs[i]!;
        const after = { ...sub.resource, quantity: sub.resource.quantity + 1 };
        const call = { data: sandbox.data, now, caller: { email: 'portal.user@litwarecsp.com', token: '' }, headers: {} } as unknown as Call;
        recordSubscriptionUpdate(call, sub, after);
        sub.resource = after;
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
