/**
 * The notifier lists service requests reading only what it compares (listServiceRequestStates,
 * readServiceRequestState). What it sees must be what the full reading (listServiceRequests,
 * serviceRequestSchema through readLeniently) gives for the same requests: the same snapshot, the same
 * "open", the same ids, the same paging, the same items skipped and the same fields named unreadable.
 */
import type { Sandbox } from '../../dev/sandbox';
import { isOpen, listedSnapshot, srSnapshot } from '../../src/notifications/observations';
import type { PartnerCenterClient } from '../../src/partner-center';
import { readLeniently } from '../../src/partner-center/read';
import { readServiceRequestState, serviceRequestSchema } from '../../src/partner-center/schemas';
import { startPartnerCenter, user } from '../support/partner-center';

/**
 * The fields the state reads; a full reading also names others (dates, contacts), which the notifier does
 * not read. Each is logged once per process (reportUnreadable), so they compare as sets.
 */
const STATE_PATHS = new Set(['id', 'title', 'status', 'notes', 'notes[]', 'notes[].text']);

function bothReadings(raw: unknown) {
  const full = readLeniently(serviceRequestSchema, raw);
  const state = readServiceRequestState(raw);
  return {
    full: full.ok ? { id: full.value.id || undefined, open: isOpen(full.value), snap: srSnapshot(full.value), unreadable: [...new Set(full.unreadable.filter((p) => STATE_PATHS.has(p)))].sort() } : 'skipped',
    state: state.ok ? { id: state.value.id || undefined, open: isOpen(state.value), snap: listedSnapshot(state.value), unreadable: [...state.unreadable].sort() } : 'skipped',
  };
}

const note = (text: unknown, extra: Record<string, unknown> = {}) => ({ createdByName: 'Microsoft Support', createdDate: '2026-11-29T02:34:13.908Z', text, ...extra });

/** As Partner Center sends them, and as it might: other casings, integer enums, numbers for strings, odd shapes. */
const CASES: Array<[string, unknown]> = [
  ['a full request', { id: '616122292874576', title: 'Cannot assign licenses', description: 'd', severity: 'moderate', status: 'open', organization: { id: 'o', name: 'Litware' }, primaryContact: { firstName: 'A', email: 'a@b.c' }, createdDate: '2026-11-29T01:34:13.908Z', lastClosedDate: '0001-01-01T00:00:00', fileLinks: [], notes: [note('first'), note('second')], countryCode: 'US', attributes: { objectType: 'ServiceRequest' } }],
  ['no notes', { id: '1', title: 't', status: 'closed' }],
  ['notes null, status null', { id: '1', title: 't', status: null, notes: null }],
  ['an empty notes list', { id: '1', title: 't', status: 'open', notes: [] }],
  ['PascalCase keys', { Id: '2', Title: 'T', Status: 'AttentionNeeded', Notes: [{ CreatedByName: 'x', Text: 'Pascal note' }] }],
  ['both spellings of a key', { id: '3', Id: '33', status: 'open', Status: 'closed', notes: [note('a')], Notes: [note('b'), note('c')] }],
  ['integer status', { id: '4', title: 't', status: 3, notes: [note('n')] }],
  ['integer status out of range', { id: '4b', title: 't', status: 9 }],
  ['unknown status word', { id: '5', title: 't', status: 'escalated' }],
  ['camelCase status', { id: '6', title: 't', status: 'attentionNeeded' }],
  ['snake_case status', { id: '6b', title: 't', status: 'attention_needed' }],
  ['a fractional status', { id: '7', title: 't', status: 1.5 }],
  ['a status object', { id: '8', title: 't', status: { value: 'open' } }],
  ['a boolean status', { id: '8b', title: 't', status: true }],
  ['numbers for id and title', { id: 616122292874577, title: 42, status: 'open' }],
  ['an object for an id', { id: { value: '9' }, title: 't', status: 'open' }],
  ['no id', { title: 'untitled', status: 'open', notes: [note('x')] }],
  ['an empty id', { id: '', title: 't', status: 'open' }],
  ['no title', { id: '10', status: 'open' }],
  ['a title null', { id: '10b', title: null, status: 'open' }],
  ['notes not a list', { id: '11', title: 't', status: 'open', notes: 'none' }],
  ['notes an object', { id: '11b', title: 't', status: 'open', notes: { text: 'x' } }],
  ['a note that is not an object, last', { id: '12', title: 't', status: 'open', notes: [note('kept'), 'oops'] }],
  ['notes that are null, arrays, numbers', { id: '13', title: 't', status: 'open', notes: [null, note('one'), [note('nested')], 7, note('two')] }],
  ['a note text that is a number', { id: '14', title: 't', status: 'open', notes: [note('before'), note(12)] }],
  ['a note text null, last', { id: '15', title: 't', status: 'open', notes: [note('before'), note(null)] }],
  ['a note without text, last', { id: '16', title: 't', status: 'open', notes: [note('before'), { createdByName: 'x' }] }],
  ['a note with a bad date and other fields', { id: '17', title: 't', status: 'open', notes: [note('dated', { createdDate: 5, extra: { deep: true } })] }],
  ['other fields of odd shapes', { id: '18', title: 't', status: 'open', severity: { x: 1 }, createdDate: 12, organization: 'none', primaryContact: [1], notes: [note('fine')] }],
  ['a very long note', { id: '19', title: 't', status: 'open', notes: [note('x'.repeat(5_000))] }],
  ['many notes', { id: '20', title: 't', status: 'open', notes: Array.from({ length: 300 }, (_, i) => note(`note ${i}`)) }],
  ['null', null],
  ['a string', 'service request'],
  ['a number', 7],
  ['an array', [{ id: '21' }]],
  ['an empty object', {}],
];

describe('the notifier\'s listing reads what the full reading reads', () => {
  it.each(CASES)('%s', (_name, raw) => {
    const { full, state } = bothReadings(raw);
    expect(state).toEqual(full);
  });

  describe('against the sandbox', () => {
    let sandbox: Sandbox;
    let client: PartnerCenterClient;
    beforeEach(async () => {
      ({ sandbox, client } = await startPartnerCenter());
    });
    afterEach(() => sandbox.close());

    it.each([2, 3, 200])('pages of %i: the same requests, snapshots, paging and calls', async (size) => {
      const read = async (list: (offset: number) => Promise<{ items: unknown[]; nextOffset?: number; totalCount: number; skipped: number }>, snap: (x: never) => unknown) => {
        const pages: unknown[] = [];
        for (let offset = 0; ; ) {
          const page = await list(offset);
          pages.push({ items: page.items.map((x) => snap(x as never)), nextOffset: page.nextOffset, totalCount: page.totalCount, skipped: page.skipped });
          if (page.nextOffset === undefined || page.items.length === 0) return pages;
          offset = page.nextOffset;
        }
      };
      const before = sandbox.requests.length;
      const full = await read((offset) => client.listServiceRequests(user(), { offset, size }), (sr: Parameters<typeof srSnapshot>[0]) => ({ id: sr.id, open: isOpen(sr), snap: srSnapshot(sr) }));
      const fullCalls = sandbox.requests.slice(before).map((r) => `${r.method} ${r.path}?${new URLSearchParams(r.query as Record<string, string>)}`);
      const mid = sandbox.requests.length;
      const state = await read((offset) => client.listServiceRequestStates(user(), { offset, size }), (sr: Parameters<typeof listedSnapshot>[0]) => ({ id: sr.id, open: isOpen(sr), snap: listedSnapshot(sr) }));
      const stateCalls = sandbox.requests.slice(mid).map((r) => `${r.method} ${r.path}?${new URLSearchParams(r.query as Record<string, string>)}`);
      expect(state).toEqual(full);
      expect(stateCalls).toEqual(fullCalls);
      expect((full[0] as { items: unknown[] }).items.length).toBeGreaterThan(0);
    });
  });
});
