/**
 * The partner's support profile (seed: update-support-profile). Reading is GET /v1/profiles/support; the
 * seed writes with PUT /v1/profiles/supportprofile while Microsoft's SDK uses /v1/profiles/support: the
 * seed's path is tried first, and the SDK's is remembered once the seed's answers 404.
 */
import { isPartnerCenterError } from './errors';
import type { PartnerCenterHttp, WriteResult } from './http';
import { mergeFields, validate } from './operations';
import type { CallContext } from './pipeline';
import { supportProfileChangeSchema, supportProfileSchema, type SupportProfile, type SupportProfileChange } from './schemas';

const READ_PATH = '/v1/profiles/support';
const SEED_PUT_PATH = '/v1/profiles/supportprofile';

export class SupportProfileApi {
  /** The seed's PUT path, until the service says 404 and the SDK's path works instead. */
  private putPath = SEED_PUT_PATH;

  constructor(private readonly http: PartnerCenterHttp) {}

  get(call: CallContext): Promise<SupportProfile> {
    return this.http.read(call, READ_PATH, supportProfileSchema, 'supportProfile');
  }

  /**
   * PUT with the full resource (seed: update-support-profile): read, merge, put. A PUT of the whole
   * resource is idempotent, so it may be sent again after a timeout.
   */
  async update(call: CallContext, change: SupportProfileChange): Promise<{ result: WriteResult<SupportProfile>; previous: SupportProfile }> {
    const wanted = validate(supportProfileChangeSchema, change);
    const current = await this.http.readRaw(call, READ_PATH);
    const previous = this.http.parse(supportProfileSchema, current.body, current.res, call, 'supportProfile');
    const fields = { email: wanted.email, telephone: wanted.telephone, website: wanted.website };
    const body = mergeFields(current.body, { ...fields, profileType: 'support_profile' });
    const readBack = async () => {
      const now = await this.get(call);
      const shows = Object.entries(fields).every(([k, v]) => v === undefined || now[k as keyof SupportProfile] === v);
      return { current: now, found: shows ? now : undefined };
    };
    const put = (path: string) => this.http.write(call, 'PUT', path, body, { idempotent: true, schema: supportProfileSchema, kind: 'supportProfile', readBack });
    try {
      return { result: await put(this.putPath), previous };
    } catch (e) {
      if (!(isPartnerCenterError(e) && e.status === 404 && this.putPath !== READ_PATH)) throw e;
    }
    const result = await put(READ_PATH);
    this.putPath = READ_PATH;
    return { result, previous };
  }
}
