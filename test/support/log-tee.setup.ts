/** Jest global set-up: every log line of the run is also written to one directory (see log-tee.ts). */
import { startTee } from './log-tee';

export default function setup(): void {
  startTee();
}
