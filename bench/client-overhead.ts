/**
 * Benchmark: what the Partner Center client costs over a bare fetch, and how many Partner Center calls
 * each operation makes.
 *
 *   npm run bench:client            (add -- --rounds 30 --per-round 200 to change the sample,
 *                                    -- --latency 20 to give the sandbox a service-like delay in ms)
 *
 * Both sides GET the same subscription from the embedded sandbox in this one process, in alternating
 * rounds, so machine noise hits both alike; the figure is the median of the per-round ratios.
 * Not a test: nothing here asserts a time.
 */
import { createSandbox, SEED } from '../dev/sandbox';
import { PartnerCenterClient, type UserContext } from '../src/partner-center';
import { arg, median } from './args';


async function main(): Promise<void> {
  const rounds = arg('rounds', 20);
  const perRound = arg('per-round', 200);
  const latencyMs = arg('latency', 0);
  const sandbox = await createSandbox({ asyncApplyMs: 0, latencyMs });
  const token = 'bench-token';
  const user: UserContext = { getToken: async () => token, locale: 'en-US', tenantId: 'bench' };
  const client = new PartnerCenterClient({ baseUrl: sandbox.url, applicationName: 'Partner Ops bench', pollIntervalMs: 10 });
  const cid = SEED.customers.contoso.id;
  const sid = SEED.subscriptions.contosoNce.id;
  const url = `${sandbox.url}/v1/customers/${cid}/subscriptions/${sid}`;

  const bare = async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    await res.json();
  };
  const viaClient = async () => {
    await client.getSubscription(user, cid, sid);
  };
  const time = async (fn: () => Promise<void>) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) await fn();
    return Number(process.hrtime.bigint() - start) / 1e6 / perRound;
  };

  for (let i = 0; i < Math.min(200, perRound); i++) {
    await bare();
    await viaClient();
  }
  const ratios: number[] = [];
  const bareMs: number[] = [];
  const clientMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which side goes first so neither always gets the warmer caches.
    let b: number;
    let c: number;
    if (r % 2 === 0) {
      b = await time(bare);
      c = await time(viaClient);
    } else {
      c = await time(viaClient);
      b = await time(bare);
    }
    bareMs.push(b);
    clientMs.push(c);
    ratios.push(c / b);
  }

  // Partner Center calls per operation, counted at the sandbox.
  sandbox.requests.length = 0;
  const counted = async (name: string, op: () => Promise<unknown>) => {
    const before = sandbox.requests.length;
    await op();
    const reqs = sandbox.requests.slice(before);
    return { name, calls: reqs.length, detail: reqs.map((q) => `${q.method} ${q.status}`).join(', ') };
  };
  const counts: Array<{ name: string; calls: number; detail: string }> = [
    await counted('create service request', () =>
      client.createServiceRequest(user, { title: 'Bench', description: 'Bench', severity: 'minimal', supportTopicId: SEED.supportTopics.billing.id }),
    ),
    await counted('add note', () => client.addServiceRequestNote(user, SEED.serviceRequests.open.id, 'bench note')),
    await counted('close service request', () => client.closeServiceRequest(user, SEED.serviceRequests.partnerProfile.id)),
    await counted('subscription update (200)', () => client.updateSubscription(user, cid, sid, { friendlyName: 'Bench' })),
    await counted('subscription update (202 + polls)', () => client.updateSubscription(user, cid, sid, { quantity: 26 })),
    await counted('support profile update', () => client.updateSupportProfile(user, { telephone: '+1 425 555 0100' })),
  ];
  // When the answer to a write is lost: never sent again blindly, read back instead (applied, or unknown).
  const impatient = new PartnerCenterClient({ baseUrl: sandbox.url, applicationName: 'Partner Ops bench', timeoutMs: 100, verifyWaitMs: 600, verifyIntervalMs: 200 });
  const srPath = `/v1/servicerequests/${SEED.serviceRequests.open.id}`;
  sandbox.injectFault({ method: 'POST', delayMs: 300 });
  counts.push(await counted('create, answer lost, found by read-back', () =>
    impatient.createServiceRequest(user, { title: 'Bench lost answer', description: 'Bench', severity: 'minimal', supportTopicId: SEED.supportTopics.billing.id }),
  ));
  sandbox.injectFault({ method: 'PATCH', path: srPath, delayMs: 300 });
  counts.push(await counted('add note, answer lost, found by read-back', () => impatient.addServiceRequestNote(user, SEED.serviceRequests.open.id, 'bench lost note')));
  sandbox.injectFault({ method: 'PATCH', path: srPath, reset: true });
  counts.push(await counted('add note, reset, never shown (unknown)', () => impatient.addServiceRequestNote(user, SEED.serviceRequests.open.id, 'bench reset note')));
  sandbox.injectFault({ method: 'PATCH', path: `/v1/customers/${cid}/subscriptions/${sid}`, delayMs: 300 });
  counts.push(await counted('subscription update, timeout, If-Match retry', () => impatient.updateSubscription(user, cid, sid, { friendlyName: 'Bench again' })));
  await sandbox.close();

  const fmt = (n: number) => n.toFixed(3);
  console.log(`Client overhead: GET one subscription, ${rounds} rounds x ${perRound} requests, sandbox latency ${latencyMs} ms, same process`);
  console.log(`  bare fetch   median ${fmt(median(bareMs))} ms/request`);
  console.log(`  client       median ${fmt(median(clientMs))} ms/request`);
  console.log(`  added per request: ${fmt(median(clientMs) - median(bareMs))} ms`);
  console.log(`  ratio client/bare: median ${median(ratios).toFixed(3)}x (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}; aim <= 1.15x)`);
  console.log('Partner Center calls per operation (counted at the sandbox):');
  for (const c of counts) console.log(`  ${c.name.padEnd(46)} ${c.calls}   (${c.detail})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
