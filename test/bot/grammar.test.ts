import { LOCALES, translator } from '../../src/i18n';
import { MAX_COMMAND_LENGTH } from '../../src/commands';
import { COMMANDS as USAGE, parseCommand } from '../../src/features';

const SUB = 'a6c1f3e2-7b4d-4e8a-9c05-3d2e1f0a9b87';

describe('command grammar', () => {
  it.each([
    ['help', { kind: 'help' }],
    ['HELP Sub Set', { kind: 'help', topic: 'sub set' }],
    ['sr new', { kind: 'sr.new' }],
    ['sr list', { kind: 'sr.list' }],
    ['Sr List ATTENTION', { kind: 'sr.list', filter: 'attention' }],
    ['sr 616122292874576', { kind: 'sr.show', id: '616122292874576' }],
    // The current "get service request by id" page calls ids alphanumeric; older ones say GUID.
    ['sr 12ab', { kind: 'sr.show', id: '12ab' }],
    ['sr note 6a1b2c3d-0000-4000-8000-00000000abcd ok', { kind: 'sr.note', id: '6a1b2c3d-0000-4000-8000-00000000abcd', text: 'ok' }],
    ['watch sr SR7aB9', { kind: 'watch.sr', id: 'SR7aB9' }],
    ['sr note 616122292874576   Two  spaces\nand a line', { kind: 'sr.note', id: '616122292874576', text: 'Two  spaces\nand a line' }],
    ['sr close 616122292874576', { kind: 'sr.close', id: '616122292874576' }],
    ['customer find Contoso Ltd', { kind: 'customer.find', query: 'Contoso Ltd' }],
    ['customer contoso.onmicrosoft.com', { kind: 'customer.show', query: 'contoso.onmicrosoft.com' }],
    ['sub list contoso.onmicrosoft.com', { kind: 'sub.list', customer: 'contoso.onmicrosoft.com' }],
    [`sub Contoso Ltd ${SUB.toUpperCase()}`, { kind: 'sub.show', customer: 'Contoso Ltd', subscriptionId: SUB }],
    [`sub set contoso ${SUB} quantity=30 name="Front office" autorenew=off`, { kind: 'sub.set', customer: 'contoso', subscriptionId: SUB, fields: { quantity: 30, friendlyName: 'Front office', autoRenewEnabled: false } }],
    [`sub set contoso ${SUB} name=“Bureau d’accueil”`, { kind: 'sub.set', customer: 'contoso', subscriptionId: SUB, fields: { friendlyName: 'Bureau d’accueil' } }],
    [`sub next contoso ${SUB} quantity=18`, { kind: 'sub.next', customer: 'contoso', subscriptionId: SUB, next: { quantity: 18 } }],
    [`sub next Contoso Hotels ${SUB} seats=5`, { kind: 'sub.next', customer: 'Contoso Hotels', subscriptionId: SUB, next: { quantity: 5 } }],
    [`sub next contoso ${SUB} CLEAR`, { kind: 'sub.next', customer: 'contoso', subscriptionId: SUB, next: 'clear' }],
    [`sub suspend "Contoso Ltd" ${SUB}`, { kind: 'sub.suspend', customer: 'Contoso Ltd', subscriptionId: SUB }],
    [`sub reactivate contoso ${SUB}`, { kind: 'sub.reactivate', customer: 'contoso', subscriptionId: SUB }],
    [`sub cancel contoso ${SUB}`, { kind: 'sub.cancel', customer: 'contoso', subscriptionId: SUB }],
    ['profile', { kind: 'profile.show' }],
    ['profile set email=help@litware.com phone="+1 425 555 0100" website=www.litware.com', { kind: 'profile.set', fields: { email: 'help@litware.com', telephone: '+1 425 555 0100', website: 'www.litware.com' } }],
  ])('%s', (text, { kind, ...args }) => {
    // The parsed command carries the command that runs it: the one of that kind.
    const r = parseCommand(text);
    expect(r.ok && { kind: r.command.kind, runBy: r.command.spec.kind, args: r.command.args }).toEqual({ kind, runBy: kind, args });
  });

  it.each([
    ['', 'parse.empty', undefined],
    ['sr lsit', 'parse.unknown', 'sr list [open|closed|attention]'],
    ['sub lsit contoso', 'parse.unknown', 'sub list «customer»'],
    ['custmer find x', 'parse.unknown', 'customer find «name or domain prefix»'],
    ['customer fnd contoso', 'parse.unknown', 'customer find «name or domain prefix»'],
    ['deploy everything', 'parse.unknown', 'help [«command»]'],
    ['sr abc', 'parse.unknown', 'help [«command»]'],
    ['sr 12ab!', 'parse.badArgument', 'sr «id»'],
    ['sr lsit', 'parse.unknown', 'sr list [open|closed|attention]'],
    ['sr note 616122292874576', 'parse.missingArgument', 'sr note «id» «text»'],
    ['sr close', 'parse.missingArgument', 'sr close «id»'],
    ['sr list pending', 'parse.badArgument', 'sr list [open|closed|attention]'],
    ['sub contoso', 'parse.missingArgument', 'sub «customer» «subscription-id»'],
    ['sub contoso not-a-guid', 'parse.badArgument', 'sub «customer» «subscription-id»'],
    [`sub set contoso ${SUB}`, 'parse.missingArgument', undefined],
    [`sub set contoso ${SUB} quantity=-3`, 'parse.badArgument', undefined],
    [`sub set contoso ${SUB} quantity=2.5`, 'parse.badArgument', undefined],
    [`sub set contoso ${SUB} autorenew=maybe`, 'parse.badArgument', undefined],
    [`sub set contoso ${SUB} color=red`, 'parse.unknownField', undefined],
    [`sub set contoso ${SUB} name="unclosed`, 'parse.unclosedQuote', undefined],
    [`sub suspend contoso ${SUB} now`, 'parse.badArgument', undefined],
    [`sub next contoso ${SUB}`, 'parse.missingArgument', 'sub next «customer» «subscription-id» quantity=N|clear'],
    [`sub next contoso ${SUB} quantity=-1`, 'parse.badArgument', undefined],
    [`sub next contoso ${SUB} quantity=5 clear`, 'parse.badArgument', undefined],
    [`sub next contoso ${SUB} name=x`, 'parse.unknownField', undefined],
    [`sub nxet contoso ${SUB} quantity=5`, 'parse.unknown', undefined],
    ['profile set fax=123', 'parse.unknownField', undefined],
    ['x'.repeat(MAX_COMMAND_LENGTH + 1), 'parse.tooLong', undefined],
  ])('refuses %j', (text, key, usage) => {
    const r = parseCommand(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.key).toBe(key);
    if (usage) expect(r.error.usage).toBe(usage);
  });

  it('describes every command in help, in every language', () => {
    for (const locale of LOCALES) {
      const tr = translator(locale);
      for (const c of USAGE) expect({ locale, name: c.name, text: tr.maybe('help.cmd', c.name) }).toEqual({ locale, name: c.name, text: expect.any(String) });
    }
  });

  it('parses every example that help shows', () => {
    for (const u of USAGE) expect({ example: u.example, ok: parseCommand(u.example).ok }).toEqual({ example: u.example, ok: true });
  });
});
