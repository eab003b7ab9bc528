/**
 * Checks for a rendered Adaptive Card: the official 1.5 JSON schema (ajv), the official renderer's parser
 * (adaptivecards 3, no DOM needed for parse + validateProperties), and walkers over the card's JSON.
 * Every checker returns a list of readable problems; an empty list means the card passed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';

/** The official Adaptive Card 1.5 schema (from adaptivecards.io; kept here so the tests need nothing beside the repo). */
export const SCHEMA_PATH = join(__dirname, '../fixtures/schemas/adaptive-card-1.5.json');

type Json = Record<string, any>; // any: a JSON schema / card is arbitrary nested JSON

/**
 * `ImplementationsOf.X` is an anyOf over every element type: one mistake inside a TextBlock yields an error
 * for each of the ~16 alternatives. Rewritten as "type is one of these" plus one if/then per type, a
 * mistake yields exactly the errors of the type it is.
 */
function rewriteImplementations(schema: Json): void {
  const defs: Json = schema.definitions;
  for (const [name, def] of Object.entries(defs)) {
    if (!name.startsWith('ImplementationsOf.') || !Array.isArray(def.anyOf)) continue;
    const cases = (def.anyOf as Json[]).map((alt) => {
      const ref: string = alt.allOf[0].$ref;
      const typeName: string | undefined = defs[ref.replace('#/definitions/', '')].properties?.type?.enum?.[0];
      return { typeName, ref };
    });
    // ImplementationsOf.Inline: a TextRun may also be a plain string; one alternative, nothing to untangle.
    if (cases.some((c) => !c.typeName)) continue;
    defs[name] = {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: cases.map((c) => c.typeName) } },
      allOf: cases.map((c) => ({ if: { properties: { type: { const: c.typeName } }, required: ['type'] }, then: { $ref: c.ref } })),
    };
  }
}

let compiled: ReturnType<Ajv['compile']> | undefined;

function schemaValidator() {
  if (!compiled) {
    const schema: Json = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
    schema.$id = schema.id;
    delete schema.id;
    rewriteImplementations(schema);
    // The root is `anyOf: [{ allOf: [AdaptiveCard] }]`: one alternative, so it only adds "must match a schema in anyOf".
    if (schema.anyOf?.length === 1) {
      schema.allOf = schema.anyOf[0].allOf;
      delete schema.anyOf;
    }
    // No ajv-formats in the project: formats (uri) are not checked here; urlErrors() checks the links.
    const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, validateFormats: false, logger: false });
    ajv.addMetaSchema(draft06);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

function describe(e: ErrorObject): string {
  const where = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return `${where}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'enum') return `${where}: ${JSON.stringify(e.data)} is not one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  return `${where}: ${e.message}${e.data === undefined || typeof e.data === 'object' ? '' : ` (got ${JSON.stringify(e.data)})`}`;
}

/**
 * Errors against the official Adaptive Card 1.5 schema, one per mistake: `if` failures only echo the real
 * error; the schema's enums come as `anyOf: [enum, case-insensitive pattern]`, so where an enum failed, its
 * pattern and anyOf errors say the same thing again.
 */
export function schemaErrors(card: unknown): string[] {
  const validate = schemaValidator();
  if (validate(card)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  const enumAt = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
  const otherAt = new Set(errors.filter((e) => e.keyword !== 'anyOf').map((e) => e.instancePath));
  const kept = errors.filter((e) =>
    enumAt.has(e.instancePath) ? e.keyword === 'enum' : e.keyword !== 'anyOf' || !otherAt.has(e.instancePath),
  );
  return [...new Set(kept.map(describe))];
}

// `require('adaptivecards')` fails on Node 20 (ESM without extensions)
const AC: typeof import('adaptivecards') = require('adaptivecards/dist/adaptivecards.js');

/** What the official renderer reports while parsing, then validating, the card (no DOM needed for either). */
export function rendererErrors(card: unknown): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const out: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    out.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of parsed.validateProperties().validationEvents) {
    const source = e.source as { getJsonTypeName?: () => string; id?: string } | undefined;
    const who = source?.getJsonTypeName ? `${source.getJsonTypeName()}${source.id ? `#${source.id}` : ''}` : '?';
    out.push(`validate: ${AC.ValidationEvent[e.event]} (${who}): ${e.message}`);
  }
  return out;
}

/** Every object in the card, depth first, with its JSON path. */
export function* walk(node: unknown, path = ''): Generator<{ path: string; value: Json }> {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* walk(node[i], `${path}/${i}`);
  } else if (node && typeof node === 'object') {
    yield { path: path || '/', value: node as Json };
    for (const [k, v] of Object.entries(node)) yield* walk(v, `${path}/${k}`);
  }
}

/** Every string in the card with its path. */
export function* strings(node: unknown, path = ''): Generator<{ path: string; value: string }> {
  if (typeof node === 'string') yield { path, value: node };
  else if (Array.isArray(node)) for (let i = 0; i < node.length; i++) yield* strings(node[i], `${path}/${i}`);
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) yield* strings(v, `${path}/${k}`);
}

/**
 * Leftovers of templating or of string-building in a builder: `${`, null/undefined/NaN as text, JSON nulls.
 * `userText` is text a user typed, which may contain anything and must show as typed.
 */
export function leftoverErrors(card: unknown, userText: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const s of strings(card)) {
    const value = userText.reduce((v, u) => v.split(u).join(''), s.value);
    const path = s.path;
    if (value.includes('${')) out.push(`${path}: unexpanded template expression in ${JSON.stringify(value)}`);
    if (/\b(undefined|null|NaN)\b|\[object Object\]/.test(value)) out.push(`${path}: rendered a missing value as text: ${JSON.stringify(value)}`);
  }
  for (const { path, value } of walk(card)) {
    for (const [k, v] of Object.entries(value)) if (v === null) out.push(`${path}/${k}: null`);
  }
  return out;
}

/** Links a user can open must be absolute https URLs. */
export function urlErrors(card: unknown): string[] {
  const out: string[] = [];
  for (const { path, value } of walk(card)) {
    if (value.type !== 'Action.OpenUrl') continue;
    let ok = false;
    try {
      ok = new URL(value.url).protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) out.push(`${path}: url ${JSON.stringify(value.url)} is not an absolute https URL`);
  }
  return out;
}

/** Ids of every input in the card, ShowCard cards included, in document order. */
export function inputIds(card: unknown): string[] {
  return [...walk(card)].filter(({ value }) => typeof value.type === 'string' && value.type.startsWith('Input.')).map(({ value }) => String(value.id));
}

/** Every Action.Execute in the card (action bars, ActionSets, selectActions, ShowCard cards). */
export function executeActions(card: unknown): Array<{ path: string; verb: unknown; title: unknown; data: Json | undefined }> {
  return [...walk(card)]
    .filter(({ value }) => value.type === 'Action.Execute')
    .map(({ path, value }) => ({ path, verb: value.verb, title: value.title, data: value.data }));
}

export function byteSize(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/**
 * What a reader sees of a text Teams renders with its Markdown (TextBlocks, fact values, message text): an
 * HTML-like tag (`<customer>`, `</x>`, `<at …>`) is taken for HTML and dropped, a backslash escape shows the
 * character it escapes, and emphasis markers vanish. Verified in the Playground (Teams' renderer) for
 * `sub <customer> <subscription-id>`, which reads "sub".
 */
export function teamsShows(text: string): string {
  return text
    .replace(/(^|[^\\])<\/?[A-Za-z][\w-]*(?:\s[^<>]*)?>/g, '$1')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/\*\*|__/g, '');
}

/**
 * Every text of a card as the official renderer reads it (parsed by adaptivecards 3 and serialized back, so
 * what it does not know is gone), then as Teams' Markdown shows it: TextBlocks, facts, button titles.
 */
export function renderedTexts(card: unknown): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  const out: string[] = [];
  for (const { value } of walk(parsed.toJSON())) {
    if (value.type === 'TextBlock' && typeof value.text === 'string') out.push(teamsShows(value.text));
    if (value.type === 'FactSet') for (const f of (value.facts ?? []) as Array<{ title: string; value: string }>) out.push(teamsShows(`${f.title} ${f.value}`));
    if (typeof value.type === 'string' && value.type.startsWith('Action.') && typeof value.title === 'string') out.push(value.title);
  }
  return out;
}
