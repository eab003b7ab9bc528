/**
 * What a verified Partner Center callback says, read as "Partner Center webhook events" shows it:
 * `{ EventName, ResourceUri, ResourceName, AuditUri, ResourceChangeUtcDate }`. The page's table says
 * `AuditUrl`, its examples `AuditUri`, the swagger camelCase: every name is read case-insensitively.
 *
 * What the product does with an event goes through ChangeSink, a narrow door the notifications side
 * implements (src/notifications/webhook.ts, wired in src/main.ts): webhooks carry no user, so whoever
 * re-reads the subscription does it as the setter of a watch that covers it, exactly as polling does.
 */

/** A subscription Partner Center says changed: re-read it now and compare with what its watches last saw. */
export interface SubscriptionChanged {
  customerId: string;
  subscriptionId: string;
  /** When the callback arrived (ms epoch). */
  seenAt: number;
}

/** What became of one event: counts only (which customer or subscription is customer data, kept out of logs). */
export interface Resynced {
  /** Reads of the subscription made: one per partner tenant whose people watch its customer; 0 when nobody does. */
  read: number;
  /**
   * Changes recorded by the batch it was read in (0 when the state was already known: a duplicate, or
   * polling was first). Events that arrive together are recorded together (see `batch`).
   */
  changes: number;
  /** How many subscriptions were recorded together with it, when more than one. */
  batch?: number;
  /** Partner tenants watching it none of whose setters could get a token (polling pauses their watches). */
  unreadable: number;
  /** It arrived while an event for the same subscription was waiting its turn, and shares that one's read. */
  joined?: boolean;
  /** Too many subscriptions were waiting their turn: nothing was read, and polling sees the change. */
  dropped?: boolean;
}

export interface ChangeSink {
  subscriptionChanged(change: SubscriptionChanged): Promise<Resynced>;
}

export interface PartnerCenterEvent {
  /** Lower case: Partner Center spells them `subscription-updated`, `test-created`, ... */
  name: string;
  resourceUri?: string;
  resourceName?: string;
  auditUri?: string;
  changedAt?: string;
}

/** The fields, whatever their casing; `AuditUrl` and `AuditUri` are the same field. */
export function readEvent(json: unknown): PartnerCenterEvent | undefined {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const f = new Map<string, unknown>();
  for (const [k, v] of Object.entries(json)) f.set(k.toLowerCase(), v);
  const str = (...names: string[]) => {
    for (const n of names) {
      const v = f.get(n);
      if (typeof v === 'string' && v.length > 0) return v;
    }
    return undefined;
  };
  const name = str('eventname');
  if (!name) return undefined;
  return {
    name: name.toLowerCase(),
    resourceUri: str('resourceuri', 'resourceurl'),
    resourceName: str('resourcename'),
    auditUri: str('audituri', 'auditurl'),
    changedAt: str('resourcechangeutcdate'),
  };
}

/**
 * The whole path, as the events page shows it (`/webhooks/v1/customers/{id}/subscriptions/{id}`) or as the
 * REST API spells the resource (`/v1/customers/…`): a path that only ends like one names nothing.
 */
const SUBSCRIPTION_URI = /^(?:\/webhooks)?\/v1\/customers\/([0-9a-f-]{36})\/subscriptions\/([0-9a-z-]{1,64})\/?$/i;

/**
 * The customer and subscription a `subscription-updated` event names (its ResourceUri), when it names them.
 * Only the ids are used: the subscription is read from the configured Partner Center, never from the URI's
 * host, so the host does not matter; an http(s) URI of the documented path is required all the same.
 */
export function subscriptionOf(e: PartnerCenterEvent): { customerId: string; subscriptionId: string } | undefined {
  let path: string;
  try {
    const url = new URL(e.resourceUri ?? '');
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    path = url.pathname;
  } catch {
    return undefined;
  }
  const m = SUBSCRIPTION_URI.exec(path);
  return m ? { customerId: m[1]!.toLowerCase(), subscriptionId: m[2]!.toLowerCase() } : undefined;
}
