/** Portal link shapes (see src/features/extension/links.ts for where they come from), the deep link, and the search cache. */
import { botChatLink, commandFor, parsePortalLink, portalUrl } from '../../src/features/extension/links';
import { normalizeQuery, SearchCache } from '../../src/features/extension/cache';
import { srQuery } from '../../src/features/extension/search';

const CID = 'd8202a51-69f9-4228-b900-d0e081af17d7';
const SID = 'e4b2d8c6-1a3f-4c5e-8b7d-9f0e2a4c6b81';

describe('portal links', () => {
  it.each([
    [`https://partner.microsoft.com/dashboard/commerce2/customers/${CID}/account`, { kind: 'customer', customerId: CID }],
    [`https://partner.microsoft.com/en-us/dashboard/commerce2/customers/${CID.toUpperCase()}`, { kind: 'customer', customerId: CID }],
    [`https://partner.microsoft.com/commerce/customers/${CID}/subscriptions`, { kind: 'customer', customerId: CID }],
    [`https://partner.microsoft.com/fr-fr/commerce/customers/${CID}/subscriptions/${SID}`, { kind: 'subscription', customerId: CID, subscriptionId: SID }],
    [`https://partner.microsoft.com/dashboard/commerce2/customers/${CID}/subscriptions/${SID}/details?x=1#top`, { kind: 'subscription', customerId: CID, subscriptionId: SID }],
    ['https://partner.microsoft.com/dashboard/support/servicerequests/616122292874576', { kind: 'serviceRequest', id: '616122292874576' }],
    ['https://PARTNER.microsoft.com/en-gb/dashboard/support/csp/servicerequests/616122292874576', { kind: 'serviceRequest', id: '616122292874576' }],
    ['https://partner.microsoft.com/dashboard/support/servicerequests?id=616122292874576', { kind: 'serviceRequest', id: '616122292874576' }],
    ['https://partner.microsoft.com/dashboard/support/servicerequests/list?ticketId=616122292874576', { kind: 'serviceRequest', id: '616122292874576' }],
  ])('%s', (url, expected) => {
    expect(parsePortalLink(url)).toEqual(expected);
  });

  it.each([
    'https://partner.microsoft.com/dashboard/support/servicerequests',
    'https://partner.microsoft.com/dashboard/support/servicerequests/create?stage=2&topicid=1af7f3a0-1757-3543-4b6a-c945c3ad187b',
    'https://partner.microsoft.com/dashboard/commerce2/customers/list',
    'https://partner.microsoft.com/commerce/customers/not-a-guid/subscriptions',
    'https://partner.microsoft.com/dashboard/home',
    `http://partner.microsoft.com/commerce/customers/${CID}`,
    `https://partner.microsoft.com.evil.example/commerce/customers/${CID}`,
    `https://user:pw@partner.microsoft.com/commerce/customers/${CID}`,
    'https://partner.microsoft.com/dashboard/support/servicerequests/..%2F..%2Fv1%2Fprofiles',
    'https://partner.microsoft.com/dashboard/support/servicerequests/%E0%A4%A',
    `https://partner.microsoft.com/commerce/customers/${CID}/${'x'.repeat(3000)}`,
    'javascript:alert(1)',
    '',
    undefined,
    42,
  ])('is not unfurled: %s', (url) => {
    expect(parsePortalLink(url)).toBeUndefined();
  });

  it('gives the bot command and the portal page of each kind', () => {
    expect(commandFor({ kind: 'serviceRequest', id: '616122292874576' })).toBe('sr 616122292874576');
    expect(commandFor({ kind: 'subscription', customerId: CID, subscriptionId: SID })).toBe(`sub ${CID} ${SID}`);
    expect(commandFor({ kind: 'customer', customerId: CID })).toBe(`sub list ${CID}`);
    for (const ref of [{ kind: 'customer', customerId: CID }, { kind: 'subscription', customerId: CID, subscriptionId: SID }] as const) {
      expect(parsePortalLink(portalUrl(ref))).toEqual(ref);
    }
  });

  it('deep-links to the 1:1 chat with the bot, the command prefilled', () => {
    const link = botChatLink('28:abc', 'sr 616122292874576', 'f0f0f0f0-1111-4222-8333-444444444444');
    expect(link).toBe('https://teams.microsoft.com/l/chat/0/0?tenantId=f0f0f0f0-1111-4222-8333-444444444444&users=28%3Aabc&message=sr%20616122292874576');
    expect(botChatLink('abc', 'help')).toBe('https://teams.microsoft.com/l/chat/0/0?users=28%3Aabc&message=help');
  });
});

describe('search queries', () => {
  it('normalizes case and spacing', () => {
    expect(normalizeQuery('  Contoso \t  LTD ')).toBe('contoso ltd');
  });

  it('reads the status filter from the parameter or from status:/is: words', () => {
    expect(srQuery('mail flow', 'open')).toEqual({ words: 'mail flow', status: 'open' });
    expect(srQuery('is:attention mail', undefined)).toEqual({ words: 'mail', status: 'attention' });
    expect(srQuery('status:closed', 'open')).toEqual({ words: '', status: 'closed' });
    expect(srQuery('status:bogus x', 'nonsense')).toEqual({ words: 'status:bogus x', status: 'any' });
  });
});

describe('SearchCache', () => {
  const clock = () => {
    let now = 1_000;
    return { now: () => now, advance: (ms: number) => (now += ms), sleep: async () => undefined } as unknown as { now(): number; advance(ms: number): void };
  };

  it('reads once per user and key within the time, joins a read in progress, and forgets failures', async () => {
    const c = clock();
    const cache = new SearchCache({ clock: c as never, ttlMs: 30_000 });
    let reads = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const read = async () => {
      reads++;
      await gate;
      return reads;
    };
    const [a, b] = [cache.get('alice', 'k', read), cache.get('alice', 'k', read)];
    release();
    expect((await a).value).toBe(1);
    expect((await b).value).toBe(1);
    expect((await cache.get('bob', 'k', read)).value).toBe(2); // never another user's answer
    c.advance(29_999);
    expect((await cache.get('alice', 'k', read)).value).toBe(1);
    c.advance(1);
    expect((await cache.get('alice', 'k', read)).value).toBe(3);
    await expect(cache.get('alice', 'bad', () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect((await cache.get('alice', 'bad', async () => 'ok')).value).toBe('ok');
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const cache = new SearchCache({ clock: clock() as never, maxEntries: 3 });
    for (const k of ['a', 'b', 'c', 'd']) await cache.get('u', k, async () => k);
    expect(cache.size).toBe(3);
    expect(cache.peek('u', 'a')).toBeUndefined();
    expect(await cache.peek<string>('u', 'd')).toMatchObject({ value: 'd' });
  });
});
