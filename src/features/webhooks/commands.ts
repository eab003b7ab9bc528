/**
 * `webhooks`, `webhooks on`, `webhooks test`: not in the Teams menu (an admin sets webhooks up once; the ten
 * places go to daily work, docs/teams-package.md); help lists them.
 */
import { noArgs } from '../../commands/args';
import { command, confirmation } from '../../commands/contract';
import * as hooks from './handlers';

/** `webhooks on` over another tool's URL asks first; Confirm registers this bot's URL instead. */
export const REGISTERING = confirmation<hooks.WebhookRegisterRequest>({
  op: 'webhooks.on',
  run: (d, t, p) => hooks.applyConfirmed(d, t, p),
  progress: () => ({ key: 'progress.webhooksOn' }),
  kept: (tr, p) => hooks.keptText(tr, p),
});

export const WEBHOOK_COMMANDS = [
  command({
    kind: 'webhooks.show',
    name: 'webhooks',
    usage: 'webhooks',
    example: 'webhooks',
    parse: (a) => noArgs(a, {}),
    run: (d, t) => hooks.showWebhooks(d, t),
  }),
  command({
    kind: 'webhooks.on',
    name: 'webhooks on',
    usage: 'webhooks on',
    example: 'webhooks on',
    writes: true,
    confirms: REGISTERING,
    parse: (a) => noArgs(a, {}),
    run: (d, t) => hooks.webhooksOn(d, t),
  }),
  command({
    kind: 'webhooks.test',
    name: 'webhooks test',
    usage: 'webhooks test',
    example: 'webhooks test',
    writes: true,
    parse: (a) => noArgs(a, {}),
    run: (d, t) => hooks.webhooksTest(d, t),
  }),
];
