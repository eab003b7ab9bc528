/**
 * What is wrong with a log line, read as a machine reads it: not one JSON object, or an object in which a
 * key appears twice (JSON.parse keeps the last, many readers keep the first: either way a value is lost).
 * JSON.parse cannot tell, so this reads the text itself.
 */
export function lineProblem(line: string): string | undefined {
  try {
    JSON.parse(line);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (!line.trimStart().startsWith('{')) return 'not a JSON object';
  const r = new Reader(line);
  r.value('');
  return r.problem;
}

/** A reader of text JSON.parse already accepted: it only has to find objects' keys, not check grammar. */
class Reader {
  problem?: string;
  private i = 0;
  constructor(private readonly s: string) {}

  value(path: string): void {
    this.space();
    const c = this.s[this.i];
    if (c === '{') this.object(path);
    else if (c === '[') this.array(path);
    else if (c === '"') this.string();
    else while (this.i < this.s.length && !',]} \t\r\n'.includes(this.s[this.i]!)) this.i++;
  }

  private object(path: string): void {
    this.i++; // {
    const seen = new Set<string>();
    this.space();
    if (this.s[this.i] === '}') return void this.i++;
    for (;;) {
      this.space();
      const key = this.string();
      if (seen.has(key)) this.problem ??= `the key "${key}" appears twice in ${path || 'the line'}`;
      seen.add(key);
      this.space();
      this.i++; // :
      this.value(path ? `${path}.${key}` : key);
      this.space();
      if (this.s[this.i++] === '}') return;
    }
  }

  private array(path: string): void {
    this.i++; // [
    this.space();
    if (this.s[this.i] === ']') return void this.i++;
    for (let n = 0; ; n++) {
      this.value(`${path}[${n}]`);
      this.space();
      if (this.s[this.i++] === ']') return;
    }
  }

  private string(): string {
    const start = this.i;
    this.i++; // "
    while (this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  private space(): void {
    while (' \t\r\n'.includes(this.s[this.i] ?? 'x')) this.i++;
  }
}
