/**
 * docs/partner-center-fields.md lists each documented Partner Center field and rule the product uses, with its
 * page and the files that use it: those files must exist, and the field a row names first must be found in at
 * least one of them, so the page cannot go on naming code that moved or a field nothing reads any more.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '../..');
const DOC = fs.readFileSync(path.join(ROOT, 'docs/partner-center-fields.md'), 'utf8');

interface Row {
  first: string;
  page: string;
  files: string[];
}

/** The tables' rows: the first cell, the page cell, and the backticked paths of the last cell. */
function rows(markdown: string): Row[] {
  return markdown
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Field or rule') && !l.startsWith('|---'))
    .map((l) => {
      const cells = l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      return { first: cells[0]!, page: cells[1]!, files: [...cells[cells.length - 1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!) };
    });
}

/** The field a row names first: the first name in its backticks (`a.b[].c` → `a`, `GET /v1/auditrecords?…` → `auditrecords`); undefined for a rule in words. */
function fieldOf(first: string): string | undefined {
  const spans = [...first.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  return spans.flatMap((s) => s.split(/[^A-Za-z-]+/)).find((w) => w.length > 3 && !['POST', 'GET', 'PUT'].includes(w));
}

const ROWS = rows(DOC);

describe('docs/partner-center-fields.md', () => {
  it('has a row for each field and rule of issues 20 and 21', () => {
    const text = ROWS.map((r) => r.first).join('\n');
    for (const needed of [
      'allowedUntilDateTime',
      'cancellationAllowedUntilDate',
      'commitmentEndDate',
      'autoRenewEnabled',
      'scheduledNextTermInstructions',
      'mid-term',
      '12:00 AM UTC',
      'auditrecords',
      'CompanyName',
      '90',
      'MS-ContinuationToken',
      'resourceOldValue',
      'webhooks/v1/registration',
      'validationEvents',
      'ResourceChangeUtcDate',
      'X-MS-Certificate-Url',
      '10 attempts',
      '48 hours',
      '500 requests',
    ]) {
      expect({ needed, found: text.includes(needed) }).toEqual({ needed, found: true });
    }
  });

  it.each(ROWS.map((r) => [r.first.slice(0, 60), r] as const))('%s: names its page and files that exist', (_name, row) => {
    expect(row.page).toMatch(/\]\(https:\/\/learn\.microsoft\.com\/partner-center\/developer\/[a-z-]+\)/);
    expect(row.files.length).toBeGreaterThan(0);
    for (const file of row.files) expect({ file, exists: fs.existsSync(path.join(ROOT, file)) }).toEqual({ file, exists: true });
  });

  it.each(ROWS.filter((r) => fieldOf(r.first)).map((r) => [fieldOf(r.first)!, r] as const))('%s is read in a file the row names', (field, row) => {
    const where = row.files.filter((f) => fs.readFileSync(path.join(ROOT, f), 'utf8').toLowerCase().includes(field.toLowerCase()));
    expect({ field, where: where.length > 0 }).toEqual({ field, where: true });
  });
});
