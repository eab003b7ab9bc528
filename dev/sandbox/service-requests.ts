/**
 * Service requests and support topics:
 * https://learn.microsoft.com/partner-center/developer/create-a-service-request (and update, get, list).
 */
import { randomInt } from 'node:crypto';
import type { Call, Handler } from './call';
import { filterParam, intParam, objectBody, queryParam, selfUri } from './call';
import { requireCustomer } from './customers';
import type { Contact, Link, Note, ServiceRequestResource, StoredServiceRequest } from './model';
import { NO_DATE, SERVICE_REQUEST_STATUSES, SEVERITIES } from './model';
import { ApiError, Codes, collection, decommissioned, invalidInput, isObject, isoDate, link } from './wire';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 200;

export const listSupportTopics: Handler = (call) => {
  if (call.options.decommissioned.supportTopics) throw decommissioned();
  const items = call.data.supportTopics.map(({ name, description, id }) => ({ name, description, id }));
  return { status: 200, body: collection(items, { self: link(selfUri(call)) }) };
};

export const listServiceRequests: Handler = (call) => ({
  status: 200,
  body: serviceRequestPage(call, call.data.serviceRequests),
});

export const listCustomerServiceRequests: Handler = (call) => {
  const customer = requireCustomer(call.data, call.params.customerId);
  const own = call.data.serviceRequests.filter((sr) => sr.customerId === customer.id);
  return { status: 200, body: serviceRequestPage(call, own) };
};

export const getServiceRequest: Handler = (call) => ({
  status: 200,
  body: requireServiceRequest(call, call.params.id).resource,
});

export const createServiceRequest: Handler = (call) => {
  if (call.options.decommissioned.createServiceRequest) throw decommissioned();
  // The URI segment after /servicerequests/ is the agent locale on POST.
  const locale = call.params.id;
  if (!/^[a-z]{2,3}-[a-z]{2}$/i.test(locale)) {
    throw invalidInput(`The agent-locale in the path must be a locale such as en-US; got '${locale}'.`);
  }
  const body = objectBody(call);
  const title = requiredText(body.title, 'Title');
  const description = requiredText(body.description, 'Description');
  const severity = parseEnum(body.severity, SEVERITIES, 'Severity');
  if (!severity || severity === 'unknown') {
    throw invalidInput('Severity is required and must be one of: critical, moderate, minimal.');
  }
  const topic = requireTopic(call, body.supportTopicId);
  const now = isoDate(call.now);
  const contact = callerContact(call);
  const resource: ServiceRequestResource = {
    id: newServiceRequestId(call),
    title,
    description,
    severity,
    supportTopicId: topic.id,
    supportTopicName: topic.name,
    status: 'open',
    organization: contact.organization,
    primaryContact: contact,
    productName: optionalText(body.productName),
    productId: optionalText(body.productId),
    createdDate: now,
    lastModifiedDate: now,
    lastClosedDate: NO_DATE,
    fileLinks: [],
    notes: parseNotes(call, body.notes),
    countryCode: 'US',
    attributes: { objectType: 'ServiceRequest' },
  };
  call.data.serviceRequests.push({ customerId: null, resource });
  return { status: 201, body: resource };
};

/**
 * Changes only what is sent. The documented body is a whole ServiceRequest full of nulls, "unknown",
 * "none" and default dates: those mean "not sent", so the seed body only adds its note.
 */
export const patchServiceRequest: Handler = (call) => {
  const stored = requireServiceRequest(call, call.params.id);
  const body = objectBody(call);
  const sr = stored.resource;
  // Validate everything before changing anything: a 400 leaves the request untouched.
  const severity = parseEnum(body.severity, SEVERITIES, 'Severity');
  const status = parseEnum(body.status, SERVICE_REQUEST_STATUSES, 'Status');
  if (status === 'attention_needed') throw invalidInput('Status can only be changed to open or closed.');
  const note = body.newNote === undefined || body.newNote === null ? null : newNote(call, body.newNote, 'NewNote');

  let changed = false;
  if (severity && severity !== 'unknown' && severity !== sr.severity) {
    sr.severity = severity;
    changed = true;
  }
  if ((status === 'open' || status === 'closed') && status !== sr.status) {
    sr.status = status;
    if (status === 'closed') sr.lastClosedDate = isoDate(call.now);
    changed = true;
  }
  if (note) {
    sr.notes.push(note);
    changed = true;
  }
  if (changed) {
    sr.lastModifiedDate = isoDate(call.now);
    sr.lastUpdatedBy = callerContact(call);
  }
  return { status: 200, body: sr };
};

// --- helpers ------------------------------------------------------------------------------------------

function requireServiceRequest(call: Call, id: string): StoredServiceRequest {
  const found = call.data.serviceRequests.find((sr) => sr.resource.id === id);
  if (!found) throw new ApiError(404, Codes.serviceRequestNotFound, `Service request ${id} was not found.`);
  return found;
}

function requireTopic(call: Call, value: unknown): { id: string; name: string } {
  const id = typeof value === 'number' ? String(value) : value;
  if (typeof id !== 'string' || id.trim() === '') throw invalidInput('SupportTopicId is required.');
  const topic = call.data.supportTopics.find((t) => t.id === id.trim());
  if (!topic) throw invalidInput(`SupportTopicId '${id}' is not a known support topic.`);
  return topic;
}

function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidInput(`${field} is required.`);
  return value;
}

/** Undefined (left out of the JSON) unless a non-empty string. */
function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Enums arrive as snake_case strings (any casing) or as their integer values; null means "not sent". */
function parseEnum<T extends string>(value: unknown, values: readonly T[], field: string): T | undefined {
  if (value === undefined || value === null) return undefined;
  const found =
    typeof value === 'number' ? values[value] : values.find((v) => v === String(value).toLowerCase());
  if (found === undefined) throw invalidInput(`${field} must be one of: ${values.join(', ')}; got ${JSON.stringify(value)}.`);
  return found;
}

function parseNotes(call: Call, value: unknown): Note[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidInput('Notes must be an array of {Text}.');
  return value.map((n, i) => newNote(call, n, `Notes[${i}]`));
}

function newNote(call: Call, value: unknown, field: string): Note {
  const text = isObject(value) ? value.text : undefined;
  if (typeof text !== 'string' || text.trim() === '') throw invalidInput(`${field}.Text is required and cannot be empty.`);
  return { createdByName: call.caller.displayName, createdDate: isoDate(call.now), text };
}

function callerContact(call: Call): Contact {
  const { id, name, phoneNumber } = call.data.partner;
  const { caller } = call;
  return {
    organization: { id, name, phoneNumber },
    contactId: caller.objectId,
    lastName: caller.lastName,
    firstName: caller.firstName,
    email: caller.email,
    phoneNumber,
  };
}

/** Ids are 15-digit numbers such as 616122292874576 (older docs say GUID; the service sends digits). */
function newServiceRequestId(call: Call): string {
  for (;;) {
    let id = String(1 + randomInt(9));
    while (id.length < 15) id += String(randomInt(10));
    if (!call.data.serviceRequests.some((sr) => sr.resource.id === id)) return id;
  }
}

function serviceRequestPage(call: Call, all: StoredServiceRequest[]) {
  const offset = intParam(call, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const size = intParam(call, 'size', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const rawFilter = queryParam(call, 'filter');
  const matching = all
    .filter(filterPredicate(call))
    .sort((a, b) => Date.parse(b.resource.createdDate) - Date.parse(a.resource.createdDate));
  const items = matching.slice(offset, offset + size).map((sr) => listView(sr.resource));
  const links: Record<string, Link> = { self: link(selfUri(call)) };
  if (offset + size < matching.length) {
    const filter = rawFilter ? `&filter=${encodeURIComponent(rawFilter)}` : '';
    links.next = link(`${call.path}?offset=${offset + size}&size=${size}${filter}`);
  }
  return collection(items, links);
}

function filterPredicate(call: Call): (sr: StoredServiceRequest) => boolean {
  const filter = filterParam(call);
  if (!filter) return () => true;
  if (filter.operator !== 'equals') throw invalidInput(`Filter operator '${filter.operator}' is not supported; use equals.`);
  if (filter.field === 'status') {
    const status = parseEnum(filter.value, SERVICE_REQUEST_STATUSES, 'Filter value for Status');
    return (sr) => sr.resource.status === status;
  }
  if (filter.field === 'severity') {
    const severity = parseEnum(filter.value, SEVERITIES, 'Filter value for Severity');
    return (sr) => sr.resource.severity === severity;
  }
  throw invalidInput(`Filter field '${filter.field}' is not supported; use Status or Severity.`);
}

/**
 * Faithful quirk: the documented list response carries severity and status as integers
 * ("severity": 0, "status": 1) while single reads carry strings. Clients must parse both.
 */
function listView(sr: ServiceRequestResource) {
  return { ...sr, severity: SEVERITIES.indexOf(sr.severity), status: SERVICE_REQUEST_STATUSES.indexOf(sr.status) };
}
