/**
 * Summarises a sampling heap profile written by the notifications benchmark
 * (`BENCH_HEAPPROF=FILE npm run bench:notifications -- --instances 1`): the bytes allocated during the first
 * measured cycle of the first bot that no scavenge (minor GC) collected, i.e. what was promoted to the old
 * generation or was still alive at the end, by function, top first. That is what makes a bot's heap (and
 * RSS) grow from one cycle to the next until a full GC.
 *
 *   node dist/bench/notifications-heap.js FILE [--top 30]
 *
 * Not a test; it reads a file and prints.
 */
import { readFileSync } from 'node:fs';

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: Node[];
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: notifications-heap FILE [--top N]');
  const i = process.argv.indexOf('--top');
  const top = i > 0 ? Number(process.argv[i + 1]) : 30;
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: Node };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const name = (n: Node) => {
    const f = n.callFrame;
    const where = f.url.replace(/^file:\/\//, '').replace(/^.*?(node_modules\/|dist\/)/, '$1');
    return `${f.functionName || '(anonymous)'}${where ? ` ${where}:${f.lineNumber + 1}` : ''}`;
  };
  const walk = (n: Node, stack: string[]) => {
    const k = name(n);
    const here = [...stack, k];
    total += n.selfSize;
    self.set(k, (self.get(k) ?? 0) + n.selfSize);
    for (const s of new Set(here)) inclusive.set(s, (inclusive.get(s) ?? 0) + n.selfSize);
    for (const c of n.children ?? []) walk(c, here);
  };
  walk(head, []);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1).padStart(7)} MB`;
  console.log(`${file}: ${mb(total)} not collected by a scavenge`);
  console.log('by function (self):');
  for (const [k, b] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${mb(b)}  ${k}`);
  console.log('by function (with what it called):');
  for (const [k, b] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${mb(b)}  ${k}`);
}

main();
