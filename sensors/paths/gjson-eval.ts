import type { GjsonPath, KeySegment, MultiSegment, QuerySegment, Segment, SupportedModifier } from './ast.ts';
import { globMatch } from './glob.ts';
import { queryMatches } from './query.ts';

/** Marks "nothing here", which is different from a JSON `null`. */
export const MISSING: unique symbol = Symbol('missing');
/** A found value, or MISSING. */
type Maybe = unknown;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets a key as an own property, so that keys such as `__proto__` stay plain data. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Evaluates a parsed gjson path on an already-parsed JSON value; MISSING when nothing is found. */
export function evaluateGjson(path: GjsonPath, data: unknown): Maybe {
  let current = data;
  for (const chain of path.chains) {
    current = evaluateChain(chain, 0, current);
    if (current === MISSING) return MISSING;
  }
  return current;
}

function evaluateChain(chain: Segment[], i: number, value: unknown): Maybe {
  const segment = chain[i];
  if (segment === undefined) return value;
  switch (segment.kind) {
    case 'key':
      return evaluateKey(segment, chain, i, value);
    case 'count':
      if (Array.isArray(value)) return evaluateChain(chain, i + 1, value.length);
      return member(chain, i, value, '#');
    case 'project': {
      if (!Array.isArray(value)) return member(chain, i, value, '#');
      const out: unknown[] = [];
      for (const element of value) {
        const found = evaluateChain(chain, i + 1, element);
        if (found !== MISSING) out.push(found);
      }
      return out;
    }
    case 'query':
      return evaluateQuery(segment, chain, i, value);
    case 'multi':
      return evaluateChain(chain, i + 1, buildMulti(segment, value));
    case 'literal':
      return evaluateChain(chain, i + 1, segment.value);
    case 'modifier': {
      const modified = applyModifier(segment.name, value);
      return modified === MISSING ? MISSING : evaluateChain(chain, i + 1, modified);
    }
  }
}

/** On an object, `#` is just a key named "#" (gjson does the same). */
function member(chain: Segment[], i: number, value: unknown, key: string): Maybe {
  if (isObject(value) && Object.hasOwn(value, key)) return evaluateChain(chain, i + 1, value[key]);
  return MISSING;
}

function evaluateKey(segment: KeySegment, chain: Segment[], i: number, value: unknown): Maybe {
  if (Array.isArray(value)) {
    const index = segment.index;
    if (index === undefined || index >= value.length) return MISSING;
    return evaluateChain(chain, i + 1, value[index]);
  }
  if (!isObject(value)) return MISSING;
  if (segment.glob === undefined) {
    return Object.hasOwn(value, segment.name) ? evaluateChain(chain, i + 1, value[segment.name]) : MISSING;
  }
  // A wildcard tries each matching member in order until the rest of the chain finds something.
  for (const key of Object.keys(value)) {
    if (!globMatch(segment.glob, key)) continue;
    const found = evaluateChain(chain, i + 1, value[key]);
    if (found !== MISSING) return found;
  }
  return MISSING;
}

function elementMatches(segment: QuerySegment, element: unknown): boolean {
  const query = segment.query;
  const container = typeof element === 'object' && element !== null;
  let found: Maybe;
  if (query.path === undefined) found = container ? MISSING : element;
  else if (container) found = evaluateGjson(query.path, element);
  else return false; // a path cannot look inside a string or number
  return queryMatches(query, found !== MISSING, found);
}

function evaluateQuery(segment: QuerySegment, chain: Segment[], i: number, value: unknown): Maybe {
  if (!Array.isArray(value)) return MISSING;
  if (!segment.all) {
    for (const element of value) {
      if (elementMatches(segment, element)) return evaluateChain(chain, i + 1, element);
    }
    return MISSING;
  }
  const out: unknown[] = [];
  for (const element of value) {
    if (!elementMatches(segment, element)) continue;
    const found = evaluateChain(chain, i + 1, element);
    if (found !== MISSING) out.push(found);
  }
  return out;
}

function buildMulti(segment: MultiSegment, value: unknown): unknown {
  if (segment.object) {
    const out: Record<string, unknown> = {};
    for (const m of segment.members) {
      const found = evaluateGjson(m.path, value);
      if (found !== MISSING) setOwn(out, m.name, found);
    }
    return out;
  }
  const out: unknown[] = [];
  for (const m of segment.members) {
    const found = evaluateGjson(m.path, value);
    if (found !== MISSING) out.push(found);
  }
  return out;
}

function applyModifier(name: SupportedModifier, value: unknown): Maybe {
  switch (name) {
    case 'this':
    case 'valid': // the value was parsed, so it is valid JSON
    case 'ugly': // values carry no whitespace; the string form is always compact
      return value;
    case 'reverse': {
      if (Array.isArray(value)) return [...value].reverse();
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).reverse()) setOwn(out, key, value[key]);
      return out;
    }
    case 'flatten':
      return Array.isArray(value) ? value.flat(1) : value;
    case 'keys':
      if (isObject(value)) return Object.keys(value);
      return Array.isArray(value) ? value.map(() => null) : [null];
    case 'values':
      if (isObject(value)) return Object.values(value);
      return Array.isArray(value) ? value : [value];
    case 'tostr':
      return JSON.stringify(value);
    case 'fromstr':
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return MISSING;
      }
  }
}
