/**
 * Opens a URL in the user's browser, only when there is one to open: never in CI, over SSH without a
 * display, or when BROWSER=none (the Playground's own TEAMSAPPTESTER_BROWSER=none is honoured too).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Opener {
  command: string;
  args: string[];
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** How to open `url` here, or undefined when no browser can be shown. */
export function browserOpener(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Opener | undefined {
  const off = (v: string | undefined) => v !== undefined && ['none', 'false', '0'].includes(v.trim().toLowerCase());
  if (off(env.BROWSER) || off(env.TEAMSAPPTESTER_BROWSER) || (env.CI && !off(env.CI))) return undefined;
  if (env.BROWSER && onPath(env.BROWSER, env)) return { command: env.BROWSER, args: [url] };
  if (platform === 'darwin') return { command: 'open', args: [url] };
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] };
  // Linux and the BSDs: a desktop session is needed to show anything.
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  if (onPath('xdg-open', env)) return { command: 'xdg-open', args: [url] };
  return undefined;
}

/** Opens the URL if a browser is available; returns whether it tried. Failures are ignored (the URL is printed anyway). */
export function openBrowser(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const opener = browserOpener(url, env);
  if (!opener) return false;
  try {
    const child = spawn(opener.command, opener.args, { detached: true, stdio: 'ignore', windowsVerbatimArguments: process.platform === 'win32' });
    child.on('error', () => undefined);
    child.unref();
    return true;
  } catch {
    return false;
  }
}
