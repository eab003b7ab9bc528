/** Where the project's files are, whether running from `dist/` (npm start) or from the sources (jest). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The directory holding package.json, walking up from this file (as src/cards/render.ts does). */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the project root (package.json) above ${from}`);
    dir = up;
  }
  return dir;
}

/** The preload that binds the Playground to loopback: plain JS, loaded from the sources by path. */
export function loopbackPreload(root: string = projectRoot()): string {
  return join(root, 'dev', 'bind-loopback.js');
}

/** The Playground's CLI script, or undefined when the devDependency is not installed (production install). */
export function playgroundCli(root: string = projectRoot()): string | undefined {
  try {
    return require.resolve('@microsoft/m365agentsplayground/cli.js', { paths: [root] });
  } catch {
    return undefined;
  }
}
