/**
 * Every card the bot can send, in every locale, against what Teams accepts: the official Adaptive Card 1.5
 * schema, the official renderer's parser, no template leftovers, under Teams' message size limit, the input
 * ids and verbs the handlers rely on. Data comes from the sandbox seed, read through the client's schemas.
 */
import { VERB } from '../../src/cards/verbs';
import { errorToCard } from '../../src/teams/errors';
import { errorCard, messageCard } from '../../src/cards/common';
import { confirmCard } from '../../src/features/confirm/cards';
import { customerListCard } from '../../src/features/customers/cards';
import { profileCard } from '../../src/features/profile/cards';
import type { AdaptiveCard } from '../../src/cards/render';
import { serviceRequestCard, serviceRequestFormCard, serviceRequestListCard } from '../../src/features/service-requests/cards';
import { subscriptionCard, subscriptionListCard } from '../../src/features/subscriptions/cards';
import { LOCALES, translator } from '../../src/i18n';
import { PartnerCenterError, type ServiceRequest, type Subscription } from '../../src/partner-center';
import { NOW, customer, topics, profile, contoso, srOpen, srHuge, manyCustomers, manyLongCustomers, contosoSubs, manySubs, subNce, CARDS, turnFor } from './cases';
import { byteSize, executeActions, inputIds, leftoverErrors, rendererErrors, schemaErrors, strings, urlErrors, walk } from './validate';

const VERBS: ReadonlySet<string> = new Set(Object.values(VERB));

/** Prefilled values the inputs cannot show: a choice that is not offered, a toggle value that is neither on nor off. */
function prefillErrors(card: unknown): string[] {
  const out: string[] = [];
  for (const { path, value: input } of walk(card)) {
    if (input.type === 'Input.ChoiceSet' && input.value) {
      const offered = (input.choices as Array<{ value: string }>).map((c) => c.value);
      if (!offered.includes(input.value)) out.push(`${path} (${input.id}): value ${JSON.stringify(input.value)} is not one of ${JSON.stringify(offered)}`);
    }
    if (input.type === 'Input.Toggle' && input.value !== undefined && input.value !== (input.valueOn ?? 'true') && input.value !== (input.valueOff ?? 'false')) {
      out.push(`${path} (${input.id}): value ${JSON.stringify(input.value)} is neither valueOn nor valueOff`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The checks, for each card in each locale.

describe.each(CARDS)('$name card', (c) => {
  const rendered = new Map(LOCALES.map((locale) => [locale, c.render(translator(locale))] as const));

  test.each(LOCALES)('%s: valid against the Adaptive Card 1.5 schema', (locale) => {
    expect(schemaErrors(rendered.get(locale))).toEqual([]);
  });

  test.each(LOCALES)('%s: accepted by the adaptivecards renderer', (locale) => {
    expect(rendererErrors(rendered.get(locale))).toEqual([]);
  });

  test.each(LOCALES)('%s: no template leftovers, no missing values as text, https links, under the size limit', (locale) => {
    const card = rendered.get(locale)!;
    expect(leftoverErrors(card)).toEqual([]);
    expect(urlErrors(card)).toEqual([]);
    expect(byteSize(card)).toBeLessThan(20_000);
  });

  test.each(LOCALES)('%s: inputs and verbs are the ones the handlers read', (locale) => {
    const card = rendered.get(locale)!;
    expect(inputIds(card)).toEqual(c.inputs ?? []);
    expect(prefillErrors(card)).toEqual([]);
    for (const action of executeActions(card)) {
      expect({ path: action.path, verb: action.verb, known: typeof action.verb === 'string' && VERBS.has(action.verb) }).toEqual({ path: action.path, verb: action.verb, known: true });
      expect(action.title).toEqual(expect.stringMatching(/\S/));
    }
  });

  if (c.shows) {
    test.each(LOCALES)('%s: shows what it is about', (locale) => {
      const texts = [...strings(rendered.get(locale))].map((s) => s.value);
      for (const wanted of c.shows!(translator(locale))) expect(texts.filter((t) => t.includes(wanted))).not.toHaveLength(0);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// Text from users and from Partner Center is data, never a template.

describe('user text is never evaluated as a template', () => {
  const EVIL = '${$root.labels.submit} ${1+1}';
  const tr = translator('en-US');
  const evilSr: ServiceRequest = { ...srOpen, title: EVIL, description: EVIL, notes: [{ createdByName: EVIL, createdDate: srOpen.createdDate, text: EVIL }] };
  const evilCustomer = customer({ id: contoso.id, companyName: EVIL, domain: 'contoso.onmicrosoft.com' });
  const evilSub: Subscription = { ...subNce, friendlyName: EVIL };

  const cases: Array<[string, () => AdaptiveCard]> = [
    ['service request', () => serviceRequestCard(tr, evilSr)],
    ['service request list', () => serviceRequestListCard(tr, { items: [evilSr], offset: 0, pageSize: 10 })],
    ['service request form', () => serviceRequestFormCard(tr, { topics, topicsFromFallback: false, nonce: 'n', values: { title: EVIL, description: EVIL, text: EVIL } })],
    ['customer list', () => customerListCard(tr, EVIL, [evilCustomer])],
    ['subscription', () => subscriptionCard(tr, evilCustomer, evilSub, { now: NOW, form: { values: { friendlyName: EVIL } } })],
    ['subscription list', () => subscriptionListCard(tr, evilCustomer, [evilSub])],
    ['profile', () => profileCard(tr, { ...profile, email: EVIL })],
    ['message', () => messageCard(EVIL, EVIL)],
    ['error', () => errorCard(tr, { message: EVIL, next: EVIL })],
  ];

  test.each(cases)('%s', (_name, render) => {
    const card = render();
    const texts = [...strings(card)].map((s) => s.value);
    expect(texts).toContain(EVIL);
    // Evaluated, it would read "Submit 2" (or " 2" where no label exists); every `$root` must still be intact.
    expect(texts.filter((t) => t.includes('$root') && !t.includes(EVIL))).toEqual([]);
    expect(texts.filter((t) => /(^|\s)2$/.test(t))).toEqual([]);
    expect(schemaErrors(card)).toEqual([]);
    expect(rendererErrors(card)).toEqual([]);
    expect(leftoverErrors(card, [EVIL])).toEqual([]);
  });

  test('the SR title renders literally', () => {
    const card = serviceRequestCard(tr, { ...srOpen, title: EVIL });
    const title = [...walk(card)].find(({ value }) => value.type === 'TextBlock' && value.size === 'Large');
    expect(title?.value.text).toBe(EVIL);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Text from Partner Center is shown literally: Markdown in it is escaped, so no link, emphasis or tag appears
// that the product did not build.

describe('Partner Center text is shown literally, Markdown escaped', () => {
  const MD = '[click](https://evil.example) **x** <at>Eve</at>\n- item\n1. first';
  const tr = translator('en-US');
  /** What a CommonMark renderer shows for a backslash-escaped text: the escapes removed. */
  const shown = (text: string) => text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  /** Markdown that would render as a link, emphasis, a tag or a list item: not preceded by a backslash. */
  const LIVE = [/(^|[^\\])\[[^\]]*\]\(/, /(^|[^\\])\*\*/, /(^|[^\\])<at>/, /(^|\n)- /, /(^|\n)1\. /];
  /** Texts a person reads, rendered with Markdown: TextBlock texts and fact values (not input values). */
  const rendered = (card: AdaptiveCard) =>
    [...walk(card)].flatMap(({ value }) =>
      value.type === 'TextBlock' && typeof value.text === 'string'
        ? [value.text]
        : value.type === 'FactSet' && Array.isArray(value.facts)
          ? (value.facts as Array<{ value: string }>).map((f) => f.value)
          : [],
    );
  const mdSr: ServiceRequest = { ...srOpen, title: MD, description: MD, supportTopicName: MD, notes: [{ createdByName: MD, createdDate: srOpen.createdDate, text: MD }] };
  const mdCustomer = customer({ id: contoso.id, companyName: MD, domain: 'contoso.onmicrosoft.com' });
  const mdSub: Subscription = { ...subNce, friendlyName: MD, offerName: MD };

  const cases: Array<[string, () => AdaptiveCard, number]> = [
    ['service request (title, description, topic, note and its author)', () => serviceRequestCard(tr, mdSr), 5],
    ['service request list', () => serviceRequestListCard(tr, { items: [mdSr], offset: 0, pageSize: 10 }), 1],
    ['customer list (company name, and the search typed)', () => customerListCard(tr, MD, [mdCustomer]), 2],
    ['subscription (customer, nickname, offer)', () => subscriptionCard(tr, mdCustomer, mdSub, { now: NOW }), 3],
    ['subscription list', () => subscriptionListCard(tr, mdCustomer, [mdSub]), 2],
    ['confirmation of a nickname change', () => confirmCard(tr, { title: 'Change', subject: [{ title: 'Subscription', value: MD }], changes: [{ field: 'Nickname', from: MD, to: MD }], consequences: [], confirmation: {} }), 2],
    ['Partner Center error description', () => errorToCard(turnFor(tr), new PartnerCenterError({ kind: 'http', status: 400, code: 'BadInput', message: 'x', description: MD })), 1],
  ];

  test.each(cases)('%s', (_name, render, atLeast) => {
    const card = render();
    const texts = rendered(card).filter((t) => shown(t).includes(MD.split('\n')[0]!));
    expect(texts.length).toBeGreaterThanOrEqual(atLeast);
    for (const t of texts) {
      for (const live of LIVE) expect({ text: t, live: live.test(t) }).toEqual({ text: t, live: false });
      // A reader sees exactly what Partner Center sent.
      expect(shown(t)).toContain(MD.split('\n')[0]!);
    }
    expect(schemaErrors(card)).toEqual([]);
  });

  test('a form keeps the value as it is, for editing', () => {
    const card = subscriptionCard(tr, mdCustomer, mdSub, { now: NOW });
    const input = [...walk(card)].find(({ value }) => value.type === 'Input.Text' && value.id === 'friendlyName');
    expect(input?.value.value).toBe(MD);
  });
});

test('on a subscription, only Save submits the edit form: the other buttons work while it is invalid', () => {
  const card = subscriptionCard(translator('en-US'), contoso, subNce, { now: NOW, form: { values: { friendlyName: '' }, errors: { friendlyName: 'Required' } } });
  const others = executeActions(card).filter((a) => a.verb !== VERB.subUpdate);
  // Next-term seats opens its own form (in place of this one): it submits nothing either.
  expect(others.map((a) => a.verb)).toEqual([VERB.subNext, VERB.subStatus, VERB.subStatus, VERB.subShow]);
  for (const a of others) expect([...walk(card)].find((o) => o.path === a.path)?.value.associatedInputs).toBe('none');
});

describe.each(LOCALES)('%s: long content is cut to fit, and says so', (locale) => {
  const tr = translator(locale);
  const texts = (card: AdaptiveCard) => [...strings(card)].map((s) => s.value);
  /** Rows of a list card: the repeated element carrying an Action.Execute with this verb. */
  const rows = (card: AdaptiveCard, verb: string) => executeActions(card).filter((a) => a.verb === verb).length;

  test('a service request with 200 long notes shows the newest ones, cut, and counts the others', () => {
    const card = serviceRequestCard(tr, srHuge);
    const notes = texts(card).filter((t) => /^Note \d+:/.test(t));
    expect(notes.length).toBeGreaterThanOrEqual(5);
    expect(notes.at(-1)).toMatch(/^Note 199:/);
    for (const note of notes) expect(note.length).toBeLessThanOrEqual(1000);
    expect(notes.every((n) => n.endsWith('…'))).toBe(true);
    expect(texts(card)).toContain(tr.t('sr.notes.more', { count: 200 - notes.length }));
    expect(texts(card)).not.toContain(tr.t('sr.notes.none'));
  });

  test('25 customers (the most `customer find` lists) are all shown', () => {
    expect(rows(customerListCard(tr, 'contoso', manyCustomers), VERB.customerSubscriptions)).toBe(25);
  });

  test('customers with long names: the rows that fit, and "1–N of total"', () => {
    const card = customerListCard(tr, 'contoso', manyLongCustomers);
    const shown = rows(card, VERB.customerSubscriptions);
    expect(shown).toBeGreaterThanOrEqual(25 / 2);
    if (shown < 25) expect(texts(card)).toContain(tr.t('common.range', { from: 1, to: shown, total: 25 }));
  });

  test('50 subscriptions are paged: live ones first, with Next and Previous', () => {
    const liveFirst = [...manySubs.filter((s) => s.status !== 'deleted'), ...manySubs.filter((s) => s.status === 'deleted')];
    const first = subscriptionListCard(tr, contoso, manySubs);
    const ids = (card: AdaptiveCard) => executeActions(card).filter((a) => a.verb === VERB.subShow).map((a) => a.data?.subscriptionId);
    expect(ids(first)).toEqual(liveFirst.slice(0, 20).map((s) => s.id));
    expect(texts(first)).toContain(tr.t('common.range', { from: 1, to: 20, total: 50 }));
    const next = executeActions(first).find((a) => a.verb === VERB.customerSubscriptions);
    expect(next?.data).toEqual({ customerId: contoso.id, offset: 20, query: '' });
    const last = subscriptionListCard(tr, contoso, manySubs, 40);
    expect(ids(last)).toEqual(liveFirst.slice(40).map((s) => s.id));
    expect(executeActions(last).filter((a) => a.verb === VERB.customerSubscriptions).map((a) => a.data?.offset)).toEqual([20]);
  });
});

describe('counts are worded with the plural of each language', () => {
  const texts = (card: AdaptiveCard) => [...strings(card)].map((s) => s.value).join('\n');
  const one = { ...contosoSubs[0]!, id: '11111111-1111-4111-8111-111111111111', quantity: 1 };
  const many = { ...contosoSubs[0]!, id: '22222222-2222-4222-8222-222222222222', quantity: 25 };

  it.each([
    ['en-US', '1 seat', '25 seats', '2 items Partner Center sent could not be read'],
    ['fr-FR', '1 licence', '25 licences', "2 éléments envoyés par l'Espace partenaires"],
    ['it-IT', '1 licenza', '25 licenze', 'leggere 2 elementi inviati'],
    ['bg-BG', '1 лиценз', '25 лиценза', '2 елемента, изпратени'],
  ] as const)('%s: a subscription list row says its seats, and the list what it could not read', (locale, single, plural, skipped) => {
    const text = texts(subscriptionListCard(translator(locale), contoso, [one, many], 0, 2));
    expect(text).toMatch(new RegExp(`^${single} · `, 'm'));
    expect(text).toMatch(new RegExp(`^${plural} · `, 'm'));
    expect(text).toContain(skipped);
    expect(text).not.toMatch(/\p{L}\((s|а|e)\)|\/[ie]\b/u);
  });

  it('a request with one older note hidden says "note", not "notes"', () => {
    const notes = Array.from({ length: 11 }, (_, i) => ({ text: `Note ${i}`, createdByName: 'Alex', createdDate: '2025-03-07T15:04:00Z' }));
    const sr = { ...srHuge, notes };
    expect(texts(serviceRequestCard(translator('en-US'), sr))).toContain('1 older note is not shown.');
    expect(texts(serviceRequestCard(translator('bg-BG'), sr))).toContain('1 по-стара бележка не е показана.');
  });
});
