/**
 * The README and docs/ say what is true: short enough to read, links that lead somewhere, the message
 * extension's command ids as the manifest declares them, example links that unfurl with the sandbox, and the
 * Playground's own words for what it cannot do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SEED } from '../../dev/sandbox/seed';
import { startTestBot, textOf, type TestBot } from '../support/teams';

const ROOT = path.join(__dirname, '../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const DOCS = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (m) out.add(m[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

describe('the README', () => {
  it('is under 20 KB', () => {
    expect(Buffer.byteLength(README)).toBeLessThan(20 * 1024);
  });

  it('links only to files and headings that exist, as every page in docs/ does', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...DOCS]) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const [rel, anchor] = target!.split('#') as [string, string | undefined];
        const dest = rel ? path.join(path.dirname(path.join(ROOT, file)), rel) : path.join(ROOT, file);
        if (!fs.existsSync(dest)) broken.push(`${file}: ${target}`);
        else if (anchor && !anchors(fs.readFileSync(dest, 'utf8')).has(anchor)) broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("gives the message extension's search command ids and parameters as the manifest declares them", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'appPackage/manifest.json'), 'utf8')) as {
      composeExtensions: Array<{ commands: Array<{ id: string; type: string; parameters: Array<{ name: string }> }> }>;
    };
    const declared = manifest.composeExtensions[0]!.commands.filter((c) => c.type === 'query').map((c) => [c.id, c.parameters.map((p) => p.name)]);
    const table = README.slice(README.indexOf('| command id | tab | parameters |')).split('\n').slice(2);
    const rows = table.slice(0, table.findIndex((l) => !l.trim().startsWith('|')));
    const documented = rows.map((row) => {
      const cells = row.split('|').map((c) => c.trim());
      return [/`(\w+)`/.exec(cells[1]!)![1], [...cells[3]!.matchAll(/`(\w+)`:/g)].map((m) => m[1])];
    });
    expect(documented).toEqual(declared);
  });

  it("quotes the Playground's own message for the search it cannot run", () => {
    const quoted = /answers "([^"]+)"/.exec(README.replace(/\s+/g, ' '))?.[1];
    expect(quoted).toMatch(/tap action is not supported/);
    const js = path.join(ROOT, 'node_modules/@microsoft/m365agentsplayground/dist/client/static/js');
    const bundle = fs.readdirSync(js).filter((f) => /^main\..*\.js$/.test(f)).map((f) => fs.readFileSync(path.join(js, f), 'utf8')).join('');
    expect(bundle).toContain(quoted);
  });
});

describe("the README's example links, pasted in the Playground", () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(() => bot.close());

  it('each unfurls into a card of the seeded item it names', async () => {
    const links = [...README.matchAll(/`(https:\/\/partner\.microsoft\.com\/[^`]+)`/g)].map((m) => m[1]!);
    expect(links.length).toBe(3);
    const names = [SEED.serviceRequests.open.title, SEED.subscriptions.contosoNce.offerName, SEED.customers.contoso.companyName];
    for (const [i, url] of links.entries()) {
      const { status, body } = await bot.invoke('composeExtension/queryLink', { url });
      expect(status).toBe(200);
      const attachments = (body as { composeExtension: { attachments?: Array<{ content: unknown }> } }).composeExtension.attachments ?? [];
      expect({ url, cards: attachments.length }).toEqual({ url, cards: 1 });
      expect(textOf(attachments[0]!.content)).toContain(names[i]);
    }
  });
});
