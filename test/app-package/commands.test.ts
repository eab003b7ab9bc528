/**
 * The bot's command lists in the manifest (and its localizations) name only commands the grammar
 * understands, at most 10 per scope as Teams allows.
 */
import { COMMANDS as USAGE, parseCommand } from '../../src/features';
import { readJson } from './helpers';

const manifest = readJson('manifest.json');
const lists: Array<{ scopes: string[]; commands: Array<{ title: string; description?: string }> }> = manifest.bots[0].commandLists;
const USAGE_NAMES = new Set<string>(USAGE.map((u) => u.name));

/** A title is a command when it parses, or when it is a usage name that only lacks its arguments. */
function isCommand(title: string): boolean {
  const r = parseCommand(title);
  if (r.ok) return true;
  return r.error.key === 'parse.missingArgument' && USAGE_NAMES.has(title);
}

describe('command lists', () => {
  it('has one list per bot scope, each with at most 10 commands and no duplicate', () => {
    const scopes = lists.flatMap((l) => l.scopes).sort();
    expect(scopes).toEqual([...manifest.bots[0].scopes].sort());
    for (const list of lists) {
      expect(list.commands.length).toBeGreaterThan(0);
      expect(list.commands.length).toBeLessThanOrEqual(10);
      const titles = list.commands.map((c) => c.title);
      expect(new Set(titles).size).toBe(titles.length);
    }
  });

  it.each(lists.flatMap((l) => l.commands.map((c) => [l.scopes.join(','), c.title] as const)))('%s: "%s" is a command the grammar understands', (_scope, title) => {
    expect(title).toBe(title.trim().toLowerCase());
    expect(isCommand(title)).toBe(true);
  });

  it('lists in each scope exactly the commands the registry offers there (the registry is the source)', () => {
    for (const list of lists) {
      for (const scope of list.scopes) {
        const offered = USAGE.filter((c) => c.menu?.includes(scope as never)).map((c) => c.name);
        expect({ scope, titles: [...list.commands.map((c) => c.title)].sort() }).toEqual({ scope, titles: [...offered].sort() });
      }
    }
  });

  it('offers help and service requests everywhere', () => {
    for (const list of lists) {
      const titles = list.commands.map((c) => c.title);
      expect(titles).toEqual(expect.arrayContaining(['help', 'sr list', 'sr', 'sr new']));
    }
  });

  it('describes every command briefly', () => {
    for (const c of lists.flatMap((l) => l.commands)) {
      expect(c.description).toBeTruthy();
      expect(c.description!.length).toBeLessThanOrEqual(80);
    }
  });

  it('the check itself rejects what is not a command', () => {
    for (const t of ['sub lst', 'tickets', 'sr show', 'profile get']) expect(isCommand(t)).toBe(false);
  });
});

describe.each(['fr.json', 'it.json', 'bg.json'])('command lists in %s', (file) => {
  const loc = readJson(file) as Record<string, string>;

  it('keep the English command words as titles, and describe each briefly', () => {
    for (const [key, value] of Object.entries(loc)) {
      const m = /^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.(title|description)$/.exec(key);
      if (!m) continue;
      const command = lists[Number(m[1])]!.commands[Number(m[2])]!;
      if (m[3] === 'title') {
        expect(value).toBe(command.title);
        expect(isCommand(value)).toBe(true);
      } else {
        expect(value.length).toBeLessThanOrEqual(80);
      }
    }
  });
});
