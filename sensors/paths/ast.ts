import type { Glob } from './glob.ts';

/**
 * The parsed form of a gjson path. Chains are separated by `|`: each chain is evaluated on the result
 * of the previous one, with no going back. Inside a chain, segments are separated by `.`, and a
 * wildcard key may try several members before one leads to a result.
 */
export interface GjsonPath {
  chains: Segment[][];
}

export type Segment =
  | KeySegment
  | { kind: 'count' }
  | { kind: 'project' }
  | QuerySegment
  | MultiSegment
  | { kind: 'literal'; value: unknown }
  | { kind: 'modifier'; name: SupportedModifier };

/** An object member by name (possibly with `*` / `?` wildcards), or an array element by index. */
export interface KeySegment {
  kind: 'key';
  name: string;
  /** Set when the key has unescaped wildcards. */
  glob: Glob | undefined;
  /** Set when the key is plain digits, so it can address an array element. */
  index: number | undefined;
}

/** `#(...)` (first match) or `#(...)#` (all matches). */
export interface QuerySegment {
  kind: 'query';
  all: boolean;
  query: Query;
}

export type QueryOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '%' | '!%';

export type Tilde = 'true' | 'false' | 'null' | '*' | 'unknown';

export interface Query {
  /** The path evaluated on each element; undefined means the element itself. */
  path: GjsonPath | undefined;
  /** Undefined for an existence query such as `#(nets.#(=="fb"))`. */
  op: QueryOp | undefined;
  /** The right-hand side with quotes removed. */
  value: string;
  /** The right-hand side read as a Go float (0 when it is not one), for comparing numbers. */
  number: number;
  /** The right-hand side as a pattern, for `%` and `!%`. */
  pattern: Glob | undefined;
  /** Set when the right-hand side is `~true`, `~false`, `~null` or `~*`. */
  tilde: Tilde | undefined;
}

/** `[a,b]` builds an array; `{a,"name":b}` builds an object. */
export interface MultiSegment {
  kind: 'multi';
  object: boolean;
  members: { name: string; path: GjsonPath }[];
}

export const SUPPORTED_MODIFIERS = [
  'this',
  'reverse',
  'flatten',
  'keys',
  'values',
  'valid',
  'ugly',
  'tostr',
  'fromstr',
] as const;

export type SupportedModifier = (typeof SUPPORTED_MODIFIERS)[number];

/** Every modifier name gjson knows; `@name` with any other name is an ordinary key, as in gjson. */
export const GJSON_MODIFIERS: ReadonlySet<string> = new Set([
  ...SUPPORTED_MODIFIERS,
  'pretty',
  'join',
  'group',
  'dig',
]);
