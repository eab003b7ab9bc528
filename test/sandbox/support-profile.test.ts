/** Support profile: GET, PUT on the seed's path and the SDK's, full replace, validation. */
import { createSandbox, SEED } from '../../dev/sandbox';
import type { Sandbox } from '../../dev/sandbox';
import { updateSupportProfileBody as SUPPORT_PROFILE_BODY } from '../fixtures/seed-examples';
import { call, get } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox();
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.reset();
  sb.setOptions({ supportProfilePutPaths: ['supportprofile', 'support'] });
});

const expected = (p: { email: string; telephone: string; website: string }) => ({
  ...p,
  profileType: 'support_profile',
  links: { self: { uri: '/v1/profiles/support', method: 'GET', headers: [] } },
  attributes: { objectType: 'PartnerSupportProfile' },
});

it('reads the profile', async () => {
  const res = await get(sb, '/v1/profiles/support');
  expect(res.body).toEqual(expected(SEED.supportProfile));
});

it.each(['/v1/profiles/supportprofile', '/v1/profiles/support'])('PUT %s accepts the documented body verbatim', async (path) => {
  const res = await call(sb, 'PUT', path, { body: SUPPORT_PROFILE_BODY });
  expect(res.status).toBe(200);
  const profile = { email: 'email@sample.com', telephone: '4255555555', website: 'www.microsoft.com' };
  expect(res.body).toEqual(expected(profile));
  expect((await get(sb, '/v1/profiles/support')).body).toEqual(expected(profile));
});

it('replaces the whole profile: an omitted field becomes empty', async () => {
  const res = await call(sb, 'PUT', '/v1/profiles/supportprofile', { body: { email: 'help@litwarecsp.com' } });
  expect(res.body).toMatchObject({ email: 'help@litwarecsp.com', telephone: '', website: '' });
});

it.each([
  ['Email', { Email: 'not-an-email' }],
  ['Telephone', { Telephone: 'call me' }],
  ['Website', { Website: 'not a site' }],
])('answers 400 naming %s when invalid', async (field, change) => {
  const res = await call(sb, 'PUT', '/v1/profiles/supportprofile', { body: { ...SUPPORT_PROFILE_BODY, ...change } });
  expect(res.status).toBe(400);
  expect(res.body.description).toContain(field);
  expect((await get(sb, '/v1/profiles/support')).body.email).toBe(SEED.supportProfile.email);
});

it("answers 404 on the seed's path when only the SDK path exists, and the reverse", async () => {
  sb.setOptions({ supportProfilePutPaths: ['support'] });
  const seedPath = await call(sb, 'PUT', '/v1/profiles/supportprofile', { body: SUPPORT_PROFILE_BODY });
  expect(seedPath.status).toBe(404);
  expect(seedPath.body.code).toBe('RouteNotFound');
  expect((await call(sb, 'PUT', '/v1/profiles/support', { body: SUPPORT_PROFILE_BODY })).status).toBe(200);

  sb.setOptions({ supportProfilePutPaths: ['supportprofile'] });
  expect((await call(sb, 'PUT', '/v1/profiles/support', { body: SUPPORT_PROFILE_BODY })).status).toBe(404);
  expect((await get(sb, '/v1/profiles/support')).status).toBe(200);
});
