/**
 * Paths into event data, as sensor filters and parameters write them: gjson syntax
 * (`body.commits.#.author`, `friends.#(last=="Murphy")#.first`, `fav\.movie`, `[a,b]`), or
 * JSONPath when the path is `$` or starts with `$.` or `$[`. A path is parsed once, at load; a
 * malformed one is an `INVALID_MANIFEST` error that names the character where it goes wrong.
 */
import { evaluateGjson, MISSING } from './gjson-eval.ts';
import { parseGjson } from './gjson-parse.ts';
import { compileJsonPath } from './jsonpath.ts';
import { valueToString } from './to-string.ts';

export { compareCodePoints } from './query.ts';
export { valueToString };

/** What a path found. `exists` is false when nothing is there (a JSON `null` does exist). */
export interface PathResult {
  exists: boolean;
  value: unknown;
  /**
   * The value as compact JSON text (like gjson's `Raw`), worked out when first read. It is not
   * enumerable, and absent when nothing was found.
   */
  raw?: string;
}

/** A parsed path: call it with an event's data. */
export interface CompiledPath {
  (data: unknown): PathResult;
  /** The path as written. */
  readonly source: string;
  readonly syntax: 'gjson' | 'jsonpath';
}

const NOT_FOUND: PathResult = Object.freeze({ exists: false, value: undefined });

/**
 * A found value. `raw` is a getter on the prototype, worked out on first use, so a result costs one
 * small object per lookup (filters look up several paths per event) and `{ exists, value }` still
 * compares equal in tests and spreads without the text.
 */
class Found implements PathResult {
  readonly exists = true;
  readonly value: unknown;
  #raw: string | undefined;

  constructor(value: unknown) {
    this.value = value;
  }

  get raw(): string {
    this.#raw ??= JSON.stringify(this.value) ?? '';
    return this.#raw;
  }
}

function toResult(value: unknown): PathResult {
  return value === MISSING ? NOT_FOUND : new Found(value);
}

/** JSONPath starts with `$` and then `.`, `[` or nothing; `$schema` stays a gjson key, as in Argo Events. */
function isJsonPath(path: string): boolean {
  return path === '$' || path.startsWith('$.') || path.startsWith('$[');
}

/**
 * Parses a path once and returns a function that evaluates it. Throws `INVALID_MANIFEST` for a
 * malformed path and `UNSUPPORTED` for gjson features Impulse leaves out (JSON Lines `..`, the
 * `@pretty`, `@join`, `@group` and `@dig` modifiers, modifier arguments) and for JSONPath script
 * expressions.
 */
export function compilePath(path: string): CompiledPath {
  let evaluate: (data: unknown) => unknown;
  let syntax: CompiledPath['syntax'];
  if (isJsonPath(path)) {
    evaluate = compileJsonPath(path);
    syntax = 'jsonpath';
  } else {
    const parsed = parseGjson(path);
    evaluate = (data) => evaluateGjson(parsed, data);
    syntax = 'gjson';
  }
  const compiled = (data: unknown) => toResult(evaluate(data));
  return Object.assign(compiled, { source: path, syntax });
}

const CACHE_LIMIT = 512;
const cache = new Map<string, CompiledPath>();

/**
 * Evaluates a path once. Parsed paths are kept in a small cache, but code that evaluates the same
 * path per event should hold on to `compilePath`'s result instead.
 */
export function getPath(data: unknown, path: string): PathResult {
  let compiled = cache.get(path);
  if (compiled === undefined) {
    compiled = compilePath(path);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(path, compiled);
  }
  return compiled(data);
}
