import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger';

/** A real logger whose JSON lines are kept in memory, to assert on what operators would read. */
export function captureLogs(level: 'trace' | 'debug' | 'info' = 'trace'): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const logger = createLogger({ level, destination: stream });
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean) };
}
