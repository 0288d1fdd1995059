import { type JsonObject, obj, stringMap } from './json.ts';
import type { ResourceType } from './resources.ts';
import { errors } from './status.ts';

/** A parsed selector: true when the object matches. */
export type Selector = (object: JsonObject) => boolean;

type Operator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!' | '>' | '<';
interface Requirement {
  key: string;
  op: Operator;
  values: string[];
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function parseRequirement(term: string): Requirement {
  const fail = (why: string) => errors.badRequest(`unable to parse requirement: ${why}: "${term}"`);
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  let req: Requirement;
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    req = { key: set[1] ?? '', op: set[2] as Operator, values: values.filter((v) => v !== '') };
    if (req.values.length === 0) throw fail('for "in" and "notin" operators, the values set can\'t be empty');
  } else if (term.startsWith('!')) {
    req = { key: term.slice(1).trim(), op: '!', values: [] };
  } else {
    const m = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(term);
    if (m) {
      const op = m[2] === '==' ? '=' : (m[2] as Operator);
      req = { key: m[1] ?? '', op, values: [(m[3] ?? '').trim()] };
    } else {
      req = { key: term, op: 'exists', values: [] };
    }
  }
  if (!KEY.test(req.key)) throw fail(`invalid label key "${req.key}"`);
  for (const v of req.values) {
    if (!VALUE.test(v) || v.length > 63) throw fail(`invalid label value: "${v}"`);
    if ((req.op === '>' || req.op === '<') && !/^-?\d+$/.test(v))
      throw fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
  }
  return req;
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case '=':
      return has && value === req.values[0];
    case '!=':
      return !has || value !== req.values[0];
    case 'in':
      return has && req.values.includes(value ?? '');
    case 'notin':
      return !has || !req.values.includes(value ?? '');
    case 'exists':
      return has;
    case '!':
      return !has;
    case '>':
      return has && /^-?\d+$/.test(value ?? '') && Number(value) > Number(req.values[0]);
    case '<':
      return has && /^-?\d+$/.test(value ?? '') && Number(value) < Number(req.values[0]);
  }
}

/** Parses a label selector in the API's string syntax, equality- and set-based. */
export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text) return () => true;
  const reqs = splitTerms(text).map(parseRequirement);
  return (object) => {
    const labels = stringMap(obj(object, 'metadata'), 'labels');
    return reqs.every((r) => matches(r, labels));
  };
}

/** Field paths a field selector may name, per kind, beyond metadata.name and metadata.namespace. */
const KIND_FIELDS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.phase',
    'status.podIP',
  ],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Job: ['status.successful'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'source',
    'type',
  ],
};

function fieldValue(object: JsonObject, path: string): string {
  let current: unknown = object;
  for (const part of path.split('.')) current = (current as JsonObject | undefined)?.[part];
  if (current === undefined || current === null) return '';
  return typeof current === 'object' ? JSON.stringify(current) : String(current);
}

/** Parses a field selector (`=`, `==`, `!=` on the fields the API server supports for the kind). */
export function parseFieldSelector(text: string | null | undefined, type: ResourceType): Selector {
  if (!text) return () => true;
  const allowed = new Set([
    'metadata.name',
    'metadata.namespace',
    ...(type.custom ? [] : (KIND_FIELDS[type.kind] ?? [])),
  ]);
  const reqs = splitTerms(text).map((term) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const field = (m[1] ?? '').trim();
    if (!allowed.has(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, negate: m[2] === '!=', value: (m[3] ?? '').trim() };
  });
  return (object) => reqs.every((r) => (fieldValue(object, r.field) === r.value) !== r.negate);
}
