/**
 * The first source: polling Partner Center as each watch's setter, with their delegated token renewed
 * silently. One paged list of the partner's service requests covers all of a setter's service-request
 * watches, one list per watched customer covers its subscriptions: cost grows with what is watched, not
 * with how often, and not with the number of instances (one instance holds a setter's partition).
 *
 * With a sweep plan (activity-source.ts), subscription watches are listed in full only when the setter's
 * sweep is due (every NOTIFY_SWEEP_MINUTES) or their role cannot read the activity log; between sweeps the
 * activity log says which customers to read. Service requests are listed every cycle: the log has no
 * service-request records. A watch that is not primed or not active is listed every cycle whatever the
 * plan: only a full read primes it or resumes it.
 */
import { SignInRequiredError, type TokenProvider } from '../identity';
import type { Logger } from '../logging/logger';
import type { PartnerCenterClient, UserContext } from '../partner-center';
import type { Clock } from '../util/clock';
import { listedSnapshot, subObservation, type Look, type Observation, type Source } from './observations';
import type { Watch } from './watches';

export const SR_PAGE = 200;

export type Setter = Watch['setBy'];

/** Which of a setter's watched customers the sweep lists this cycle (a slice of them: see activity-source.ts). */
export interface SweepSlice {
  customers: string[];
  /** The slice ends the sweep. */
  done: boolean;
  /** When the sweep this slice belongs to began. */
  startedAt: number;
}

/** When a setter's watched customers are listed (the sweep), and how many at a time. */
export interface SweepPlan {
  /** The customers of `customers` (every watched customer of `setter`) to list this cycle; undefined: none. */
  slice(setter: Setter, customers: string[]): Promise<SweepSlice | undefined>;
  /** The slice was listed. */
  listed(setter: Setter, slice: SweepSlice): Promise<void>;
}

export interface PollingOptions {
  client: PartnerCenterClient;
  tokens: TokenProvider;
  clock: Clock;
  logger: Logger;
  /** Without one, every watched customer is listed every cycle. */
  sweep?: SweepPlan;
}

export class PollingSource implements Source {
  readonly name = 'poll';

  constructor(private readonly o: PollingOptions) {}

  async look(watches: Watch[]): Promise<Look> {
    const look: Look = { observations: [], covered: [], paused: [], partnerCenterCalls: 0 };
    // One batch of Partner Center reads per setter, shared by all their watches.
    const bySetter = new Map<string, Watch[]>();
    // A digest (kind `deadlines`) reads at its hour, in digest.ts: polling neither reads for it nor resumes it.
    for (const w of watches) {
      if (w.kind === 'deadlines') continue;
      const k = `${w.setBy.tenantId}/${w.setBy.id}`;
      const group = bySetter.get(k);
      if (group) group.push(w);
      else bySetter.set(k, [w]);
    }
    for (const group of bySetter.values()) await this.read(group, look);
    return look;
  }

  /** Reads what a setter's watches cover, as that setter. */
  private async read(group: Watch[], look: Look): Promise<void> {
    const setter = group[0]!.setBy;
    const user: UserContext = { getToken: this.o.tokens.tokenFor(setter), tenantId: setter.tenantId, locale: group[0]!.locale };
    const seen: Observation[] = [];
    const at = (state: Observation['state'], item: Observation['item']): Observation => ({ tenantId: setter.tenantId, item, state, seenAt: this.o.clock.now(), via: this.name });
    try {
      // Only what is compared is read of each listed request (never its full resource).
      if (group.some((w) => w.kind !== 'subs')) {
        for (let offset = 0; ; ) {
          const page = await this.o.client.listServiceRequestStates(user, { offset, size: SR_PAGE });
          look.partnerCenterCalls++;
          for (const sr of page.items) if (sr.id) seen.push(at(listedSnapshot(sr), { kind: 'service-request', id: sr.id }));
          if (page.nextOffset === undefined || page.items.length === 0) break;
          offset = page.nextOffset;
        }
      }
      const subsWatches = group.filter((w) => w.kind === 'subs');
      const customers = [...new Set(subsWatches.map((w) => w.customerId!))];
      const slice = customers.length === 0 || !this.o.sweep ? undefined : await this.o.sweep.slice(setter, customers);
      // Without a plan, every customer; with one, the sweep's slice, and the watches only a full read primes or resumes.
      const listed = new Set(!this.o.sweep ? customers : [...(slice?.customers ?? []), ...subsWatches.filter((w) => !w.primed || w.state !== 'active').map((w) => w.customerId!)]);
      for (const customerId of listed) {
        const subs = (await this.o.client.listSubscriptions(user, customerId)).items;
        look.partnerCenterCalls++;
        for (const s of subs) seen.push(subObservation(setter.tenantId, customerId, s, this.o.clock.now(), this.name));
      }
      if (slice) await this.o.sweep?.listed(setter, slice);
      for (const w of group) if (w.kind !== 'subs' || listed.has(w.customerId!)) look.covered.push(w.id);
    } catch (e) {
      if (e instanceof SignInRequiredError) look.paused.push(...group.map((w) => w.id));
      else this.o.logger.warn({ err: e, setter: setter.id }, 'watch polling failed; next cycle will try again');
      return; // nothing is observed of a setter whose reading failed part way: the next cycle reads it all
    }
    for (const o of seen) look.observations.push(o);
  }
}
