import { createLocalAuthority, type LocalAuthority } from '../../dev/authority';
import { DelegatedIdentity, ExchangeError } from '../../src/identity/delegated';
import { SignInRequiredError, type Actor } from '../../src/identity';
import { KeyValueStore, MemoryStateStore } from '../../src/storage';
import { silentLogger } from '../../src/logging/logger';
import { FakeClock } from '../support/fake-clock';
import { decodeJwt } from '../../src/util/jwt';

const TENANT = 'f0f0f0f0-1111-4222-8333-444444444444';
const CLIENT = { clientId: '11111111-2222-4333-8444-555555555555', clientSecret: 'sandbox-secret', appIdUri: 'api://botid-99999999-8888-4777-8666-555555555555' };
const SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
const alice: Actor = { id: 'a1a1a1a1-0000-4000-8000-000000000001', name: 'Alice Admin', tenantId: TENANT };
const bob: Actor = { id: 'b2b2b2b2-0000-4000-8000-000000000002', name: 'Bob Support', tenantId: TENANT };

describe('delegated tokens (msal-node against the local https authority)', () => {
  let authority: LocalAuthority;
  let clock: FakeClock;
  let state: MemoryStateStore;
  let identity: DelegatedIdentity;

  beforeAll(async () => {
    clock = new FakeClock(Date.now());
    authority = await createLocalAuthority({ clients: [CLIENT], now: clock.now, accessTokenLifetimeSec: 3600 });
  });
  afterAll(() => authority.close());
  beforeEach(() => {
    authority.tokenRequests.length = 0;
    authority.user({ oid: alice.id, tid: TENANT, name: alice.name, upn: 'alice@litware.com', mfa: true });
    authority.user({ oid: bob.id, tid: TENANT, name: bob.name, upn: 'bob@litware.com', mfa: true });
    state = new MemoryStateStore();
    identity = make();
  });

  const make = () =>
    new DelegatedIdentity(
      {
        clientId: CLIENT.clientId,
        clientSecret: CLIENT.clientSecret,
        authority: authority.authorityUrl(TENANT),
        knownAuthority: { host: authority.host, metadata: authority.openIdConfiguration(TENANT) },
        caPem: authority.caPem,
        scope: SCOPE,
        cacheSecret: 'test-cache-secret',
      },
      new KeyValueStore(state),
      clock,
      silentLogger,
    );

  it('exchanges an SSO token on behalf of the user, with the documented request, and serves later calls from cache', async () => {
    await expect(identity.tokenFor(alice)()).rejects.toBeInstanceOf(SignInRequiredError);
    await identity.exchange(alice, authority.mintSsoToken(alice.id, CLIENT.appIdUri));
    const [obo] = authority.tokenRequests;
    expect(obo).toMatchObject({ grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer', clientId: CLIENT.clientId, status: 200 });
    expect(obo!.form).toMatchObject({ requested_token_use: 'on_behalf_of', assertion: '[assertion]', client_secret: '[client_secret]' });
    expect(obo!.form.scope!.split(' ')).toEqual(expect.arrayContaining([SCOPE, 'offline_access']));
    const token = await identity.tokenFor(alice)();
    expect(decodeJwt(token)!.claims).toMatchObject({ oid: alice.id, aud: 'https://api.partnercenter.microsoft.com', amr: ['pwd', 'mfa'] });
    // A fresh instance sharing the storage (another bot instance) finds the token without a new exchange.
    const other = make();
    expect(await other.tokenFor(alice)()).toBe(token);
    expect(authority.tokenRequests).toHaveLength(1);
    // Encrypted at rest: the stored record does not contain the token.
    const raw = JSON.stringify(await state.storage.read([`tokens/${TENANT}/${alice.id}`]));
    expect(raw).not.toContain(token.split('.')[1]!);
  });

  it('renews silently with the refresh token once the token is about to expire', async () => {
    // msal renews tokens within 5 minutes of expiry: a 2-minute token is due at once.
    authority.setOptions({ accessTokenLifetimeSec: 120 });
    try {
      await identity.exchange(alice, authority.mintSsoToken(alice.id, CLIENT.appIdUri));
      const first = await make().tokenFor(alice)();
      const second = await make().tokenFor(alice)();
      expect(second).not.toBe(first);
      expect(decodeJwt(second)!.claims.oid).toBe(alice.id);
      expect(authority.tokenRequests.map((r) => r.grantType)).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer', 'refresh_token', 'refresh_token']);
    } finally {
      authority.setOptions({ accessTokenLifetimeSec: 3600 });
    }
  });

  it('keeps each user in their own partition and refuses somebody else\'s SSO token', async () => {
    await identity.exchange(alice, authority.mintSsoToken(alice.id, CLIENT.appIdUri));
    await expect(identity.tokenFor(bob)()).rejects.toBeInstanceOf(SignInRequiredError);
    await expect(identity.exchange(bob, authority.mintSsoToken(alice.id, CLIENT.appIdUri))).rejects.toMatchObject({ reason: 'wrong-user' });
    await identity.exchange(bob, authority.mintSsoToken(bob.id, CLIENT.appIdUri));
    const [a, b] = [await identity.tokenFor(alice)(), await identity.tokenFor(bob)()];
    expect(decodeJwt(a)!.claims.oid).toBe(alice.id);
    expect(decodeJwt(b)!.claims.oid).toBe(bob.id);
  });

  it('reports consent required, refuses tokens without MFA, and forgets on sign-out', async () => {
    authority.setOptions({ requireConsent: true });
    authority.user({ oid: alice.id, tid: TENANT, consented: false });
    const e = await identity.exchange(alice, authority.mintSsoToken(alice.id, CLIENT.appIdUri)).catch((x) => x);
    expect(e).toBeInstanceOf(ExchangeError);
    expect(e.reason).toBe('consent-required');
    authority.setOptions({ requireConsent: false });
    authority.user({ oid: alice.id, tid: TENANT, mfa: false });
    await expect(identity.exchange(alice, authority.mintSsoToken(alice.id, CLIENT.appIdUri))).rejects.toMatchObject({ reason: 'mfa-required' });
    await expect(identity.tokenFor(alice)()).rejects.toBeInstanceOf(SignInRequiredError); // nothing kept
    authority.user({ oid: alice.id, tid: TENANT, mfa: true });
    await identity.exchange(alice, authority.mintSsoToken(alice.id, CLIENT.appIdUri));
    expect(await identity.whoami(alice)).toMatchObject({ username: 'alice@litware.com', tenantId: TENANT, mfa: true });
    await identity.signOut(alice);
    await expect(identity.tokenFor(alice)()).rejects.toBeInstanceOf(SignInRequiredError);
    expect(await identity.whoami(alice)).toBeUndefined();
  });
});
