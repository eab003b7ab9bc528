/** Service requests: the resource as read, the state the notifier compares, the support topics, and the inputs. */
import { z } from 'zod';
import { LIMITS, M, text } from './input';
import { camelKey, enumValue, pcDate, resource, str, tolerantEnum } from './reading';

/** Integer order follows the Partner Center SDK enums (ServiceRequestSeverity, ServiceRequestStatus). */
export const SEVERITIES = ['unknown', 'critical', 'moderate', 'minimal'] as const;
export const SR_STATUSES = ['none', 'open', 'closed', 'attention_needed'] as const;

export type Severity = (typeof SEVERITIES)[number];
export type ServiceRequestStatus = (typeof SR_STATUSES)[number];

const organization = z.looseObject({ id: str, name: str, phoneNumber: str });
const contact = z.looseObject({
  organization: organization.nullish(),
  contactId: str,
  lastName: str,
  firstName: str,
  email: str,
  phoneNumber: str,
});
const note = z.looseObject({ createdByName: str, createdDate: pcDate, text: z.string().nullish() });

export const serviceRequestSchema = resource({
  id: str,
  title: str,
  description: str,
  severity: tolerantEnum(SEVERITIES).nullish(),
  supportTopicId: str,
  supportTopicName: str,
  status: tolerantEnum(SR_STATUSES).nullish(),
  organization: organization.nullish(),
  primaryContact: contact.nullish(),
  lastUpdatedBy: contact.nullish(),
  productName: str,
  productId: str,
  createdDate: pcDate,
  lastModifiedDate: pcDate,
  lastClosedDate: pcDate,
  fileLinks: z.array(z.unknown()).nullish(),
  notes: z.array(note).nullish(),
  countryCode: str,
});
export type ServiceRequest = z.infer<typeof serviceRequestSchema>;
export type ServiceRequestNote = z.infer<typeof note>;

/** What the notifier compares of a listed service request (readServiceRequestState). */
export interface ServiceRequestState {
  id?: string;
  title?: string;
  status?: string;
  /** How many notes it has. */
  noteCount: number;
  /** The newest note's text. */
  lastNote?: string;
  /** Who wrote the newest note (its createdByName): what a notification names. */
  lastNoteBy?: string;
}

/**
 * Reads of a listed service request only what the notifier compares: its id, title, status, number of
 * notes and newest note's text, each exactly as serviceRequestSchema (through readLeniently) reads it: any
 * key casing, a number for a string, the integer form of the status, a field of an unexpected shape
 * dropped and named in `unreadable`, a note that is not an object not counted, an item that is not an
 * object not read at all. Nothing else of the resource is read or copied: reading a page of 200 this way
 * allocates about a tenth of what building the full resources does (test/notifications/listing.test.ts
 * holds the two readings equal).
 */
export function readServiceRequestState(raw: unknown): { ok: true; value: ServiceRequestState; unreadable: string[] } | { ok: false } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false };
  const unreadable: string[] = [];
  const text = (v: unknown, path: string): string | undefined => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    if (v !== undefined && v !== null) unreadable.push(path);
    return undefined;
  };
  let id: unknown, title: unknown, status: unknown, notes: unknown;
  // camelizeKeys' reading of the keys: the first letter lower-cased, the last of two spellings wins.
  for (const [k, v] of Object.entries(raw)) {
    const key = camelKey(k);
    if (key === 'id') id = v;
    else if (key === 'title') title = v;
    else if (key === 'status') status = v;
    else if (key === 'notes') notes = v;
  }
  const value: ServiceRequestState = { id: text(id, 'id'), title: text(title, 'title'), noteCount: 0 };
  const s = enumValue(SR_STATUSES, status);
  if (typeof s === 'string') value.status = s;
  else if (s !== undefined && s !== null) unreadable.push('status');
  if (Array.isArray(notes)) {
    for (const n of notes) {
      if (!n || typeof n !== 'object' || Array.isArray(n)) {
        unreadable.push('notes[]');
        continue;
      }
      value.noteCount++;
      let t: unknown;
      let by: unknown;
      for (const [k, v] of Object.entries(n)) {
        const key = camelKey(k);
        if (key === 'text') t = v;
        else if (key === 'createdByName') by = v;
      }
      value.lastNoteBy = typeof by === 'string' ? by : typeof by === 'number' ? String(by) : undefined;
      if (typeof t === 'string') value.lastNote = t;
      else {
        value.lastNote = undefined;
        if (t !== undefined && t !== null) unreadable.push('notes[].text');
      }
    }
  } else if (notes !== undefined && notes !== null) unreadable.push('notes');
  return { ok: true, value, unreadable: [...new Set(unreadable)] };
}

export const supportTopicSchema = resource({ id: z.preprocess((v) => String(v), z.string()), name: z.string(), description: str });
export type SupportTopic = z.infer<typeof supportTopicSchema>;

export const createServiceRequestInputSchema = z.strictObject({
  title: text(LIMITS.title),
  description: text(LIMITS.description),
  severity: z.enum(['critical', 'moderate', 'minimal'], M.choice),
  supportTopicId: z.string(M.choice).trim().regex(/^[A-Za-z0-9-]{1,64}$/, M.choice),
  notes: z.array(text(LIMITS.note)).max(10).optional(),
});
export type CreateServiceRequestInput = z.input<typeof createServiceRequestInputSchema>;

export const noteInputSchema = text(LIMITS.note);

export const serviceRequestListSchema = z.strictObject({
  status: z.enum(SR_STATUSES).optional(),
  offset: z.number().int().min(0).default(0),
  size: z.number().int().min(1).max(200).default(20),
});
export type ServiceRequestListQuery = z.input<typeof serviceRequestListSchema>;
