import { createSandbox, type Sandbox, type SandboxOptions } from '../../dev/sandbox';
import { isPartnerCenterError, PartnerCenterClient, type PartnerCenterClientOptions, type PartnerCenterError, type UserContext, type WriteResult } from '../../src/partner-center';
import { errorToCard } from '../../src/teams/errors';
import { translator, type Locale } from '../../src/i18n';
import { FakeClock } from './fake-clock';
import { textOf } from './teams';

export const ALICE_TOKEN = 'eyJhbGciOiJub25lIn0.eyJ0aWQiOiJsaXR3YXJlIiwibmFtZSI6IkFsaWNlIn0.alice-signature-SECRET';

export function user(overrides: Partial<UserContext> = {}): UserContext {
  return { getToken: async () => ALICE_TOKEN, locale: 'en-US', tenantId: 'litware', ...overrides };
}

/** A sandbox and a client sharing one fake clock: waits are recorded, never slept. */
export async function startPartnerCenter(
  sandboxOptions: SandboxOptions = {},
  clientOptions: Partial<PartnerCenterClientOptions> = {},
): Promise<{ sandbox: Sandbox; client: PartnerCenterClient; clock: FakeClock }> {
  const clock = new FakeClock();
  const sandbox = await createSandbox({ now: clock.now, ...sandboxOptions });
  const client = new PartnerCenterClient({
    baseUrl: sandbox.url,
    applicationName: 'Partner Ops tests',
    clock,
    supportTopicsFallback: [{ id: '1', name: 'Fallback topic', description: 'from configuration' }],
    ...clientOptions,
  });
  return { sandbox, client, clock };
}

export interface PartnerCenterPerTest {
  readonly sandbox: Sandbox;
  readonly client: PartnerCenterClient;
  readonly clock: FakeClock;
  /** Close this test's sandbox and start another with these options (a test that needs its own client settings). */
  restart(sandboxOptions?: SandboxOptions, clientOptions?: Partial<PartnerCenterClientOptions>): Promise<void>;
}

/**
 * For a describe block: a fresh sandbox and client (startPartnerCenter's) before each test, the sandbox closed
 * after it, so no test sees another's requests, faults or data.
 */
export function partnerCenterPerTest(): PartnerCenterPerTest {
  let current: { sandbox: Sandbox; client: PartnerCenterClient; clock: FakeClock } | undefined;
  const now = () => {
    if (!current) throw new Error('the sandbox runs only inside a test (started in beforeEach)');
    return current;
  };
  const restart = async (sandboxOptions: SandboxOptions = {}, clientOptions: Partial<PartnerCenterClientOptions> = {}) => {
    await current?.sandbox.close();
    current = await startPartnerCenter(sandboxOptions, clientOptions);
  };
  beforeEach(() => restart());
  afterEach(async () => {
    await current?.sandbox.close();
    current = undefined;
  });
  return {
    get sandbox() {
      return now().sandbox;
    },
    get client() {
      return now().client;
    },
    get clock() {
      return now().clock;
    },
    restart,
  };
}

/** The PartnerCenterError a call fails with (and a test failure if it succeeds or fails otherwise). */
export async function failure(p: Promise<unknown>): Promise<PartnerCenterError> {
  try {
    await p;
  } catch (e) {
    if (isPartnerCenterError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

/** The resource of a write Partner Center applied (and a test failure for any other outcome). */
export function applied<T>(r: WriteResult<T>): T {
  if (r.outcome !== 'applied' || !r.resource) throw new Error(`expected an applied write with its resource, got ${JSON.stringify(r)}`);
  return r.resource;
}

/** The card the bot's error sink shows a user for an error (no write sent in the turn), in their language. */
export function errorCardFor(e: unknown, locale: Locale = 'en-US'): ReturnType<typeof errorToCard> {
  return errorToCard({ tr: translator(locale), calls: [], user: { ...user(), correlationId: 'test-correlation' } }, e);
}

/** What a user reads for an error: the text of that card. */
export function seenBy(e: unknown, locale: Locale = 'en-US'): string {
  return textOf(errorCardFor(e, locale));
}
