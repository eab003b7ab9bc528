/**
 * Runs the sandbox on its own: `npm run sandbox` (PORT env or `--port N`, default 4010).
 * The only sandbox file that reads process.env.
 */
import { createSandbox } from './index';

const DEFAULT_PORT = 4010;

function portFromArgs(argv: string[], env: NodeJS.ProcessEnv): number {
  const flag = argv.indexOf('--port');
  const raw = flag >= 0 ? argv[flag + 1] : env.PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`The port must be an integer from 0 to 65535 (--port N or PORT); got '${raw}'.`);
  }
  return port;
}

async function main(): Promise<void> {
  const sandbox = await createSandbox({ port: portFromArgs(process.argv.slice(2), process.env) });
  process.stdout.write(
    `Partner Center sandbox: base URL ${sandbox.url} - try: curl -H "Authorization: Bearer dev" ${sandbox.url}/v1/customers\n`,
  );
  const stop = () => {
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
