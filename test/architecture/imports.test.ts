/**
 * The layers of src/, read from the code's own imports: every import and export-from statement (type-only
 * ones too: a type is a dependency of the design), every require() and import() of every file under src/,
 * as TypeScript's own pre-processor reads them, relative paths resolved to files.
 *
 *   src/teams/      implements the command contract, and runs what it finds
 *   src/features/   the commands and card actions; index.ts lists them, above the rest of the features
 *   src/commands/   the contract (contract.ts) and the parser: below the features, naming none of them
 *
 * So: no import cycle anywhere in src/; no feature imports src/teams/; src/commands/ imports no feature; and
 * src/ imports nothing from dev/ or from outside src/ (production stays production).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { preProcessFile } from 'typescript';

const ROOT = join(__dirname, '../..');
const SRC = join(ROOT, 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : /\.(ts|js|cjs|mjs)$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** The file a relative specifier names, as Node and TypeScript resolve it (a file, or a folder's index). */
function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, ...['.ts', '.js', '.cjs', '.mjs', '.json'].map((x) => base + x), ...['index.ts', 'index.js'].map((x) => join(base, x))];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Where a file points, and what could not be resolved: path (relative to the project) → paths. */
interface Graph {
  edges: Map<string, string[]>;
  unresolved: string[];
}

function importGraph(files: string[]): Graph {
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const from = relative(ROOT, file);
    const { importedFiles } = preProcessFile(readFileSync(file, 'utf8'), true, true);
    const to = new Set<string>();
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) continue; // a package
      const target = resolveRelative(file, specifier);
      if (target) to.add(relative(ROOT, target));
      else unresolved.push(`${from} imports ${specifier}`);
    }
    edges.set(from, [...to].sort());
  }
  return { edges, unresolved };
}

/** Every import cycle, each as a path that comes back to its start (a → b → a): Tarjan's strongly connected components. */
function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = (edges.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) found.push(loopThrough(edges, new Set(component), v));
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One loop through a component, from `start` back to it (breadth first: the shortest), to name in a failure. */
function loopThrough(edges: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>, start: string): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of edges.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = cameFrom.get(u)!) path.splice(1, 0, u);
        return [...path, start];
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

const under = (folder: string) => (path: string) => path.startsWith(`src${sep}${folder}${sep}`) || path === `src${sep}${folder}`;
const isFeature = under('features');
const isTeams = under('teams');
const isCommands = under('commands');

describe('the imports of src/', () => {
  const graph = importGraph(filesUnder(SRC));
  const pairs = [...graph.edges].flatMap(([from, to]) => to.map((t) => [from, t] as const));
  const offending = (rule: (from: string, to: string) => boolean) => pairs.filter(([f, t]) => rule(f, t)).map(([f, t]) => `${f} imports ${t}`);

  it('reads every file and resolves every relative import', () => {
    expect(graph.edges.size).toBeGreaterThan(100);
    expect(graph.unresolved).toEqual([]);
    // The reader sees each kind of statement: a type-only import, a value import, an export-from, a require().
    const edge = (from: string, to: string) => graph.edges.get(join('src', from))?.includes(join('src', to));
    expect(edge('features/audit/log.ts', 'commands/contract.ts')).toBe(true);
    expect(edge('teams/work.ts', 'features/index.ts')).toBe(true);
    expect(edge('commands/index.ts', 'commands/parse.ts')).toBe(true);
    expect(edge('cards/render.ts', 'cards/template-ir.ts')).toBe(true);
  });

  it('has no import cycle', () => {
    expect(cycles(graph.edges).map((c) => c.join(' → '))).toEqual([]);
  });

  it('no feature imports src/teams/ (features see the turn through the command contract)', () => {
    expect(offending((f, t) => isFeature(f) && isTeams(t))).toEqual([]);
  });

  it('src/commands/ imports no feature (the list of commands is assembled above them, in src/features/index.ts)', () => {
    expect(offending((f, t) => isCommands(f) && isFeature(t))).toEqual([]);
  });

  it('src/ imports nothing from dev/ or from outside src/, not even types', () => {
    expect(offending((_f, t) => !t.startsWith(`src${sep}`))).toEqual([]);
  });
});

describe('the cycle finder', () => {
  it('finds a loop of two, a longer one and a self-import, and nothing in a tree', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['a', 'c']],
      ['c', ['d']],
      ['d', ['e']],
      ['e', ['c']],
      ['f', ['f']],
      ['g', ['a', 'c']],
    ]);
    expect(cycles(graph).map((c) => c.join(' → ')).sort()).toEqual(['a → b → a', 'c → d → e → c', 'f → f']);
    expect(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});
