/**
 * What Adaptive Card version a card really needs: the official 1.5 schema annotates every element, action
 * and property introduced after 1.0 with the version that introduced it (`"version": "1.2"` on ActionSet,
 * on Container.bleed, on Refresh…). A card that declares a version, or must stay within one (Teams renders
 * unfurled links up to 1.3), may use nothing newer.
 */
import { readFileSync } from 'node:fs';
import { SCHEMA_PATH } from './validate';

type Json = Record<string, any>; // any: the schema and the card are arbitrary JSON

let defs: Json | undefined;
const definitions = (): Json => (defs ??= JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')).definitions);

const newer = (v: string | undefined, max: string) => {
  if (!v) return false;
  const [a, b] = v.split('.').map(Number);
  const [c, d] = max.split('.').map(Number);
  return a! > c! || (a === c && b! > d!);
};

/** A definition's properties, its inherited ones (allOf → Extendable.*) included. */
function propertiesOf(name: string): Json {
  const def = definitions()[name];
  if (!def) return {};
  const inherited = (def.allOf ?? []).map((x: Json) => propertiesOf(String(x.$ref).replace('#/definitions/', '')));
  return Object.assign({}, ...inherited, def.properties ?? {});
}

function versionOfProperty(p: Json | undefined): string | undefined {
  if (!p) return undefined;
  if (p.version) return p.version;
  const ref = p.$ref ?? p.anyOf?.find((x: Json) => x.$ref)?.$ref;
  return ref ? definitions()[String(ref).replace('#/definitions/', '')]?.version : undefined;
}

/** Everything in the card newer than `max` (and the declared version, when it is newer). */
export function cardVersionErrors(card: unknown, max: string): string[] {
  const out: string[] = [];
  const root = card as Json;
  if (typeof root?.version !== 'string' || newer(root.version, max)) out.push(`/version: ${String(root?.version)} is newer than ${max}`);
  const walk = (node: unknown, path: string, typeName?: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`, typeName));
    if (!node || typeof node !== 'object') return;
    const o = node as Json;
    const name = typeof o.type === 'string' ? o.type : typeName;
    if (name) {
      const def = definitions()[name];
      if (newer(def?.version, max)) out.push(`${path}: ${name} is Adaptive Cards ${def.version}`);
      const props = propertiesOf(name);
      for (const key of Object.keys(o)) {
        // The 1.5 schema spells one property `rtl?` (Container, TableCell).
        const v = versionOfProperty(props[key] ?? props[`${key}?`]);
        if (newer(v, max)) out.push(`${path}/${key}: ${name}.${key} is Adaptive Cards ${v}`);
      }
    }
    for (const [key, value] of Object.entries(o)) {
      // Facts carry no type: they are Facts.
      walk(value, `${path}/${key}`, key === 'facts' ? 'Fact' : key === 'card' || key === 'refresh' ? (key === 'refresh' ? 'Refresh' : 'AdaptiveCard') : undefined);
    }
  };
  walk(card, '', 'AdaptiveCard');
  return out;
}
