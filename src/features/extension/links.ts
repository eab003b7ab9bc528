/**
 * Links in and out of the message extension: Partner Center portal links a user pastes (link unfurling),
 * and the Teams deep link that takes a reader of a shared card to the bot's full card in a 1:1 chat.
 *
 * PORTAL LINK SHAPES, and where they come from. Microsoft documents no stable URL scheme for the Partner
 * Center portal (partner.microsoft.com); what follows is what its pages and public tools link to:
 *
 * - Customer: `https://partner.microsoft.com[/{locale}]/dashboard/commerce2/customers/{customer-tenant-id}[/…]`
 *   and the older `https://partner.microsoft.com[/{locale}]/commerce/customers/{customer-tenant-id}[/…]`.
 *   Microsoft's Partner Center docs link the customer list as `…/dashboard/commerce2/customers/list` (security
 *   alerts and GDAP pages) and `…/commerce/customers/list` (Azure plan pages); the MFA page names the
 *   customers workspace as `https://partner.microsoft.com/commerce/*`; CIPP and other partner tools open a
 *   customer as `…/dashboard/commerce2/customers/{tenant-id}/adminrelationships/{id}` and
 *   `…/commerce/customers/{tenant-id}/subscriptions`. The tenant id is the customer id ("Microsoft ID" on the
 *   customer's Account page, per the REST reference's prerequisites).
 * - Subscription: `…/commerce/customers/{customer-tenant-id}/subscriptions/{subscription-id}` (and the same
 *   under `/dashboard/commerce2/`). Only partner tools (not Microsoft's docs) show this shape; it is accepted
 *   because it nests exactly as the REST resource does (`/v1/customers/{id}/subscriptions/{id}`).
 * - Service request: Microsoft's docs link only the list, `…/dashboard/support/servicerequests`, and the create
 *   page (`…/servicerequests/create?…`), plus the customer-request area `…/dashboard/support/csp/customers/*`.
 *   No page documents the link to one request. Accepted, because they carry an id the API knows and nothing
 *   else: a path segment after `servicerequests` (`…/servicerequests/{id}`, also under `/support/csp/`), or an
 *   `id`, `ticketId` or `serviceRequestId` query parameter on a `…/servicerequests` page. `create`, `list`
 *   and the list itself unfurl to nothing.
 *
 * Anything else on the domain (other workspaces, the list pages) is not unfurled: the answer is empty, and
 * Teams shows the link as it is.
 */
import { GUID, SR_ID_PATTERN } from '../../partner-center/schemas';

export const PORTAL_HOST = 'partner.microsoft.com';

export type PortalLink =
  | { kind: 'customer'; customerId: string }
  | { kind: 'subscription'; customerId: string; subscriptionId: string }
  | { kind: 'serviceRequest'; id: string };

/** Longer than any link Teams would send for these pages: refused before parsing. */
const MAX_URL_CHARS = 2048;
const LOCALE = /^[a-z]{2}(?:-[a-z]{2,4})?$/i;
const NOT_AN_SR_ID = new Set(['create', 'list', 'new']);

/** What a pasted Partner Center link points to, or undefined when it is not one the extension unfurls. */
export function parsePortalLink(raw: unknown): PortalLink | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_URL_CHARS) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.hostname.toLowerCase() !== PORTAL_HOST || url.username || url.password) return undefined;
  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  if (segments[0] && LOCALE.test(segments[0]) && segments[0].toLowerCase() !== 'commerce') segments = segments.slice(1);
  const lower = segments.map((s) => s.toLowerCase());

  // …/commerce/customers/{id}[/subscriptions/{id}] or …/dashboard/commerce2/customers/{id}[/subscriptions/{id}]
  const base = lower[0] === 'commerce' ? 1 : lower[0] === 'dashboard' && lower[1] === 'commerce2' ? 2 : -1;
  if (base > 0 && lower[base] === 'customers') {
    const customerId = segments[base + 1];
    if (!customerId || !GUID.test(customerId)) return undefined;
    const subscriptionId = segments[base + 3];
    if (lower[base + 2] === 'subscriptions' && subscriptionId && GUID.test(subscriptionId)) {
      return { kind: 'subscription', customerId: customerId.toLowerCase(), subscriptionId: subscriptionId.toLowerCase() };
    }
    return { kind: 'customer', customerId: customerId.toLowerCase() };
  }

  // …/dashboard/support/[csp/]servicerequests[/{id}][?id=…]
  if (lower[0] === 'dashboard' && lower[1] === 'support') {
    const at = lower.indexOf('servicerequests');
    if (at < 0) return undefined;
    const inPath = segments[at + 1];
    const fromPath = inPath && !NOT_AN_SR_ID.has(inPath.toLowerCase()) ? inPath : undefined;
    const fromQuery = ['id', 'ticketid', 'servicerequestid']
      .map((name) => [...url.searchParams.entries()].find(([k]) => k.toLowerCase() === name)?.[1])
      .find((v) => v !== undefined);
    const id = fromPath ?? fromQuery;
    if (!id || !SR_ID_PATTERN.test(id) || !/\d/.test(id)) return undefined;
    return { kind: 'serviceRequest', id };
  }
  return undefined;
}

/** The portal page of an item (what the shared card's second button opens). */
export function portalUrl(link: PortalLink): string {
  switch (link.kind) {
    case 'customer':
      return `https://${PORTAL_HOST}/dashboard/commerce2/customers/${link.customerId}/subscriptions`;
    case 'subscription':
      return `https://${PORTAL_HOST}/commerce/customers/${link.customerId}/subscriptions/${link.subscriptionId}`;
    case 'serviceRequest':
      return `https://${PORTAL_HOST}/dashboard/support/servicerequests`;
  }
}

/** The bot command that shows an item's full card in the 1:1 chat. */
export function commandFor(link: PortalLink): string {
  switch (link.kind) {
    case 'customer':
      return `sub list ${link.customerId}`;
    case 'subscription':
      return `sub ${link.customerId} ${link.subscriptionId}`;
    case 'serviceRequest':
      return `sr ${link.id}`;
  }
}

/**
 * A Teams deep link to the 1:1 chat with the bot, with the command typed in the compose box (the reader
 * sends it). The documented format is `https://teams.microsoft.com/l/chat/0/0?users=…&message=…` ("Deep link
 * to Teams chat", learn.microsoft.com); the page documents user principal names in `users`, and a bot is
 * named by its Bot Framework id `28:{app id}`, which Teams accepts there for bots (widely used, not on that
 * page). `tenantId` keeps the chat in the reader's tenant.
 */
export function botChatLink(botId: string, command: string, tenantId?: string): string {
  const id = botId.startsWith('28:') ? botId : `28:${botId}`;
  const params = new URLSearchParams();
  if (tenantId && GUID.test(tenantId)) params.set('tenantId', tenantId);
  params.set('users', id);
  params.set('message', command);
  // URLSearchParams writes spaces as "+"; Teams' examples use %20.
  return `https://teams.microsoft.com/l/chat/0/0?${params.toString().replace(/\+/g, '%20')}`;
}
