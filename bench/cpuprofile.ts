/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package, top first.
 *
 *   node dist/bench/cpuprofile.js FILE.cpuprofile [--top 25] [--per N]   (--per: divide by N commands, in µs)
 *   node dist/bench/cpuprofile.js FILE.cpuprofile --against OTHER.cpuprofile --per N
 *        (what FILE spends beyond OTHER, by package and by function, largest first: for bench:commands,
 *         the product's profile against the equal-work bot's, both over the same N commands)
 *
 * Self time is the time a function itself was on top of the stack (samples × interval); "(program)",
 * "(idle)" and "(garbage collector)" are V8's own buckets. Not a test; it reads a file and prints.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The package (or project folder) a script URL belongs to. */
export function ownerOf(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const m = /\/dist\/(src|dev|bench)\/([^/]+)/.exec(url);
  if (m) return `${m[1]}/${m[2]!.replace(/\.js$/, '')}`;
  return url.split('/').slice(-2).join('/');
}

export function summarise(p: Profile): { totalUs: number; byFunction: Map<string, number>; byOwner: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + dt);
  }
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const file = f.url ? f.url.replace(/^file:\/\//, '').replace(/^.*?(node_modules\/|dist\/)/, '$1') : '';
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const owner = f.url ? ownerOf(f.url.replace(/^file:\/\//, '')) : f.functionName.startsWith('(') ? f.functionName : '(native)';
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    if (f.functionName !== '(idle)') totalUs += us;
  }
  return { totalUs, byFunction, byOwner };
}

/** Self time of `a` minus that of `b`, per key, largest difference (either sign) first. */
export function difference(a: Map<string, number>, b: Map<string, number>): Array<[string, number, number, number]> {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys]
    .map((k): [string, number, number, number] => [k, (a.get(k) ?? 0) - (b.get(k) ?? 0), a.get(k) ?? 0, b.get(k) ?? 0])
    .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: cpuprofile FILE.cpuprofile [--top N] [--per COMMANDS]');
  const flag = (name: string, d: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  const top = flag('top', 25);
  const per = flag('per', 0);
  const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const againstAt = process.argv.indexOf('--against');
  if (againstAt > 0) return compare(file, s, process.argv[againstAt + 1]!, top, per);
  const fmt = (us: number) =>
    per > 0 ? `${(us / per).toFixed(1).padStart(7)} µs/cmd` : `${(us / 1000).toFixed(1).padStart(8)} ms`;
  const pct = (us: number) => `${((100 * us) / s.totalUs).toFixed(1).padStart(5)}%`;
  console.log(`${file}: busy (not idle) ${fmt(s.totalUs)}`);
  console.log('self time by package / folder:');
  for (const [k, us] of [...s.byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${fmt(us)} ${pct(us)}  ${k}`);
  console.log('self time by function:');
  for (const [k, us] of [...s.byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${fmt(us)} ${pct(us)}  ${k}`);
}

function compare(file: string, s: ReturnType<typeof summarise>, otherFile: string, top: number, per: number): void {
  const o = summarise(JSON.parse(readFileSync(otherFile, 'utf8')) as Profile);
  const n = per > 0 ? per : 1;
  const unit = per > 0 ? 'µs/cmd' : 'µs';
  const f = (us: number, sign = false) => `${sign && us >= 0 ? '+' : ''}${(us / n).toFixed(1)}`.padStart(8);
  console.log(`${file} against ${otherFile} (${unit}): busy ${f(s.totalUs)} vs ${f(o.totalUs)}, ${f(s.totalUs - o.totalUs, true)}`);
  for (const [title, a, b] of [
    ['package / folder', s.byOwner, o.byOwner],
    ['function', s.byFunction, o.byFunction],
  ] as const) {
    console.log(`self time by ${title}: difference, this, other`);
    for (const [k, d, x, y] of difference(a, b).filter(([k]) => k !== '(idle)').slice(0, top)) console.log(`  ${f(d, true)} ${f(x)} ${f(y)}  ${k}`);
  }
}

if (require.main === module) main();
