/**
 * The sandbox's webhook registration, from "Partner Center webhooks": the registration (GET, POST, PUT), the
 * events list, and test events (validationEvents) with their 2-a-minute limit and delivery status.
 */
import { createSandbox } from '../../dev/sandbox';
import type { Sandbox } from '../../dev/sandbox';
import { call, fakeClock, get } from './helpers';

const clock = fakeClock();
let sb: Sandbox;
const delivered: Array<{ url: string; event: Record<string, string> }> = [];
beforeAll(async () => {
  sb = await createSandbox({ now: clock.now, webhookDelivery: async (url, event) => (delivered.push({ url, event }), { status: 200, body: '' }) });
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.reset();
  delivered.length = 0;
});

// The page's example request body, as printed there.
const EXAMPLE = { WebhookUrl: 'https://callback.contoso.com/events', WebhookEvents: ['subscription-updated', 'test-created'] };

it('has no registration until one is POSTed; then GET shows it with its SubscriberId, and PUT replaces it', async () => {
  expect((await get(sb, '/webhooks/v1/registration')).status).toBe(404);
  const created = await call(sb, 'POST', '/webhooks/v1/registration', { body: EXAMPLE });
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({ webhookUrl: EXAMPLE.WebhookUrl, webhookEvents: EXAMPLE.WebhookEvents, subscriberId: expect.any(String) });
  expect((await call(sb, 'POST', '/webhooks/v1/registration', { body: EXAMPLE })).status).toBe(409);
  const updated = await call(sb, 'PUT', '/webhooks/v1/registration', { body: { ...EXAMPLE, WebhookUrl: 'https://other.example/hook' } });
  expect(updated.body).toMatchObject({ webhookUrl: 'https://other.example/hook', subscriberId: created.body.subscriberId });
  expect((await get(sb, '/webhooks/v1/registration')).body.webhookUrl).toBe('https://other.example/hook');
  expect((await call(sb, 'DELETE', '/webhooks/v1/registration')).status).toBe(405); // none is documented
});

it('lists the events on offer, and refuses to register one that is not', async () => {
  const events = await get(sb, '/webhooks/v1/registration/events');
  expect(events.body).toEqual(expect.arrayContaining(['subscription-updated', 'test-created']));
  expect((await call(sb, 'POST', '/webhooks/v1/registration', { body: { ...EXAMPLE, WebhookEvents: ['subscription-renewed'] } })).status).toBe(400);
});

it('sends a test event to the registered URL, says how its delivery went, and allows 2 a minute', async () => {
  expect((await call(sb, 'POST', '/webhooks/v1/registration/validationEvents')).status).toBe(400); // test-created not registered
  await call(sb, 'POST', '/webhooks/v1/registration', { body: EXAMPLE });
  const sent = await call(sb, 'POST', '/webhooks/v1/registration/validationEvents');
  expect(sent.body).toEqual({ correlationId: expect.any(String) });
  expect(delivered).toEqual([{ url: EXAMPLE.WebhookUrl, event: expect.objectContaining({ EventName: 'test-created' }) }]);
  const status = await get(sb, `/webhooks/v1/registration/validationEvents/${sent.body.correlationId}`);
  expect(status.body).toMatchObject({ status: 'completed', callbackUrl: EXAMPLE.WebhookUrl, results: [{ responseCode: '200' }] });
  expect((await call(sb, 'POST', '/webhooks/v1/registration/validationEvents')).status).toBe(200);
  const third = await call(sb, 'POST', '/webhooks/v1/registration/validationEvents');
  expect(third.status).toBe(429);
  expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  clock.advance(60_001);
  expect((await call(sb, 'POST', '/webhooks/v1/registration/validationEvents')).status).toBe(200);
});
