/**
 * Customers: read by id, search by company name or domain prefix, continuation-token paging
 * (https://learn.microsoft.com/partner-center/developer/get-a-list-of-customers-filtered-by-a-search-field).
 */
import type { Call, Handler } from './call';
import { filterParam, headerValue, intParam, queryParam, selfUri } from './call';
import type { Link, SandboxData, StoredCustomer } from './model';
import { ApiError, Codes, collection, invalidInput, link } from './wire';

const DEFAULT_PAGE_SIZE = 200;
const MAX_PAGE_SIZE = 1000;
const SEARCH_FIELDS = ['companyname', 'domain'] as const;
type SearchField = (typeof SEARCH_FIELDS)[number];

/** What a continuation token stands for; the token itself is opaque to clients. */
interface Page {
  offset: number;
  size: number;
  search: { field: SearchField; prefix: string } | null;
}

export const listCustomers: Handler = (call) => {
  const page = requestedPage(call);
  const matching = call.data.customers
    .filter((c) => !c.relationshipEnded && matchesSearch(c, page.search))
    .sort((a, b) => a.companyName.localeCompare(b.companyName));
  const items = matching.slice(page.offset, page.offset + page.size).map(customerView);
  const links: Record<string, Link> = { self: link(selfUri(call)) };
  const body = collection(items, links);
  if (page.offset + page.size < matching.length) {
    const token = encodeToken({ ...page, offset: page.offset + page.size });
    body.continuationToken = token;
    links.next = link(`/v1/customers?size=${page.size}&seekOperation=Next`, [{ key: 'MS-ContinuationToken', value: token }]);
  }
  return { status: 200, body };
};

export const getCustomer: Handler = (call) => ({
  status: 200,
  body: customerView(requireCustomer(call.data, call.params.customerId)),
});

/** 404/20003 for an id the partner never had; 403/20002 for a former customer. */
export function requireCustomer(data: SandboxData, id: string | undefined): StoredCustomer {
  const customer = data.customers.find((c) => c.id.toLowerCase() === id?.toLowerCase());
  if (!customer) throw new ApiError(404, Codes.notFound, `Customer ${id} was not found.`);
  if (customer.relationshipEnded) {
    throw new ApiError(403, Codes.noRelationship, `The partner has no commerce relationship with customer ${id}.`);
  }
  return customer;
}

function customerView(c: StoredCustomer) {
  return {
    id: c.id,
    commerceId: c.id,
    companyProfile: {
      tenantId: c.id,
      domain: c.domain,
      companyName: c.companyName,
      links: { self: link(`/v1/customers/${c.id}/profiles/company`) },
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    relationshipToPartner: 'reseller',
    allowDelegatedAccess: true,
    links: { self: link(`/v1/customers/${c.id}`) },
    attributes: { objectType: 'Customer' },
  };
}

function requestedPage(call: Call): Page {
  const seek = queryParam(call, 'seekOperation');
  if (seek === undefined) {
    return { offset: 0, size: intParam(call, 'size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE), search: searchParam(call) };
  }
  if (seek.toLowerCase() !== 'next') throw invalidInput(`seekOperation '${seek}' is not supported; use Next.`);
  const token = headerValue(call, 'MS-ContinuationToken');
  if (!token) throw invalidInput('seekOperation=Next needs the MS-ContinuationToken header from the previous page.');
  return decodeToken(token);
}

function searchParam(call: Call): Page['search'] {
  const filter = filterParam(call);
  if (!filter) return null;
  if (filter.operator !== 'starts_with') {
    throw invalidInput(`Filter operator '${filter.operator}' is not supported; only starts_with is.`);
  }
  const field = SEARCH_FIELDS.find((f) => f === filter.field);
  if (!field) throw invalidInput(`Filter field '${filter.field}' is not supported; use CompanyName or Domain.`);
  if (typeof filter.value !== 'string') throw invalidInput('The filter Value must be a string.');
  return { field, prefix: filter.value.toLowerCase() };
}

function matchesSearch(c: StoredCustomer, search: Page['search']): boolean {
  if (!search) return true;
  const subject = search.field === 'domain' ? c.domain : c.companyName;
  return subject.toLowerCase().startsWith(search.prefix);
}

function encodeToken(page: Page): string {
  return Buffer.from(JSON.stringify(page), 'utf8').toString('base64url');
}

function decodeToken(token: string): Page {
  try {
    const page = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Page;
    if (Number.isInteger(page.offset) && Number.isInteger(page.size) && page.size > 0) return page;
  } catch {
    // fall through: any unreadable token gets the same answer
  }
  throw invalidInput('The MS-ContinuationToken header is not a valid continuation token.');
}
