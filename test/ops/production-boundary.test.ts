/**
 * Production stays production: every package src/ loads is a production dependency (so `npm ci
 * --omit=dev` is enough to run it), and the image gets no dev/. That nothing under src/ imports from dev/
 * (the sandbox, the local token authority, the Playground launcher) or from outside src/ is checked with
 * the other import rules, in test/architecture/imports.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const SRC = join(ROOT, 'src');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : /\.(ts|js|cjs|mjs)$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** Module specifiers a file imports; with `runtimeOnly`, only those loaded at run time (type-only imports are erased). */
function specifiers(code: string, runtimeOnly = false): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)) if (!(runtimeOnly && m[2])) out.push(m[3]!);
  for (const m of code.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  for (const m of code.matchAll(/\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

const packageOf = (s: string) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
const builtin = (s: string) => s.startsWith('node:') || builtinModules.includes(packageOf(s));

describe('the production boundary', () => {
  const files = filesUnder(SRC);

  it('finds the production sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it("src/ never loads 'selfsigned', and every package it loads is a production dependency", () => {
    const offending: string[] = [];
    for (const file of files) {
      for (const s of specifiers(readFileSync(file, 'utf8'), true)) {
        if (s.startsWith('.') || builtin(s)) continue;
        const name = packageOf(s);
        if (name === 'selfsigned' || !(name in pkg.dependencies)) offending.push(`${relative(ROOT, file)} loads ${s}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('selfsigned and the Playground are development dependencies only', () => {
    for (const name of ['selfsigned', '@microsoft/m365agentsplayground']) {
      expect({ name, production: name in pkg.dependencies }).toEqual({ name, production: false });
      expect(pkg.devDependencies).toHaveProperty([name]);
    }
  });

  it('the image is built from src/ alone: the Docker context and the Dockerfile leave dev/ out', () => {
    const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(dockerignore).toContain('*');
    expect(dockerignore.filter((l) => /^!\/?(dev|bench|test)\b/.test(l))).toEqual([]);
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).not.toMatch(/^COPY\s+(\.\/)?(dev|bench|test)\b/m);
    expect(dockerfile).toMatch(/COPY --from=build \/app\/dist\/src \.\/dist\/src/);
    expect(dockerfile).not.toMatch(/dist\/dev/);
  });

  it('production runs with one heap cap: the image and the Azure app settings set the same NODE_OPTIONS', () => {
    const image = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
    const azure = /^\s*NODE_OPTIONS: '([^']*)'/m.exec(readFileSync(join(ROOT, 'infra', 'main.bicep'), 'utf8'))?.[1];
    expect(image).toMatch(/^--max-old-space-size=\d+$/);
    expect(azure).toBe(image);
  });
});
