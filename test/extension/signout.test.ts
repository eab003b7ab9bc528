/**
 * Signing out ends what the message extension kept for the user: within the cache's 30 s a search, a chosen
 * result and a shared card's refresh used to answer from the cache with no Partner Center call at all.
 * Through the protocol, against the sandbox (which counts the calls). And the cache's keys name one person.
 */
import { SEED } from '../../dev/sandbox';
import { cacheUser, SearchCache } from '../../src/features/extension/cache';
import { systemClock } from '../../src/util/clock';
import { ALICE, GROUP, TENANT, cardOf, startTestBot, textOf, type TestBot } from '../support/teams';

const C = SEED.customers;
const APP_ID_URI = 'api://botid-local';

interface ComposeExtension {
  type: string;
  attachments?: Array<{ content: { refresh?: { action: { verb: string; data: Record<string, unknown> } } }; preview?: { content: { title: string; tap: { value: Record<string, string> } } } }>;
}

describe('sign-out and the message extension', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot({}, { sandboxSso: false });
    bot.running.authority!.user({ oid: ALICE.aadObjectId, tid: TENANT, name: ALICE.name, upn: 'alice@litware.com' });
  });
  afterAll(() => bot.close());
  const pcCalls = () => bot.running.sandbox!.requests.length;

  async function query(text: string, extra: Record<string, unknown> = {}): Promise<ComposeExtension> {
    const r = await bot.invoke('composeExtension/query', { commandId: 'customers', parameters: [{ name: 'query', value: text }], queryOptions: { skip: 0, count: 25 }, ...extra }, { conversation: GROUP });
    return (r.body as { composeExtension: ComposeExtension }).composeExtension;
  }

  it('after signout, search, the chosen result and the refresh read nothing from the cache: they ask to sign in', async () => {
    const token = bot.running.authority!.mintSsoToken(ALICE.aadObjectId, APP_ID_URI);
    const found = await query('contoso', { authentication: { token } });
    expect(found.type).toBe('result');
    const hit = found.attachments!.find((a) => a.preview!.content.title === C.contoso.companyName)!;
    const chosen = await bot.invoke('composeExtension/selectItem', hit.preview!.content.tap.value, { conversation: GROUP });
    const card = (chosen.body as { composeExtension: ComposeExtension }).composeExtension.attachments![0]!.content;
    const refresh = card.refresh!.action;

    // Signed in, the same search within 30 s is answered from the cache: no Partner Center call.
    let before = pcCalls();
    expect((await query('contoso')).type).toBe('result');
    expect(pcCalls()).toBe(before);

    await bot.say('signout');
    expect(textOf(cardOf(bot.take().at(-1)))).toMatch(/signed out/);

    before = pcCalls();
    const search = await query('contoso');
    expect(search.type).toBe('silentAuth');
    const again = await bot.invoke('composeExtension/selectItem', hit.preview!.content.tap.value, { conversation: GROUP });
    expect(JSON.stringify(again.body)).not.toContain(C.contoso.companyName);
    const refreshed = await bot.execute(refresh.verb, refresh.data, { conversation: GROUP });
    expect(JSON.stringify(refreshed.body)).not.toContain(C.contoso.companyName);
    expect(refreshed.body.statusCode).toBe(401);
    expect(pcCalls()).toBe(before); // nothing read without a token, and nothing answered from the cache
  });
});

describe('the search cache', () => {
  it("keys each person apart: tenant tA with user u/v is not tenant tA/u with user v", async () => {
    const cache = new SearchCache({ clock: systemClock });
    const a = cacheUser({ tenantId: 'tA', id: 'u/v' });
    const b = cacheUser({ tenantId: 'tA/u', id: 'v' });
    expect(a).not.toBe(b);
    cache.set(a, 'customers/conto', ['what tA u/v may see']);
    expect(cache.peek(b, 'customers/conto')).toBeUndefined();
    let reads = 0;
    await cache.get(b, 'customers/conto', async () => ++reads);
    expect(reads).toBe(1);
    cache.forgetUser(b);
    expect((await cache.peek(a, 'customers/conto'))?.value).toEqual(['what tA u/v may see']);
  });
});
