/**
 * The simple wildcard patterns of gjson: `*` matches any run of characters (none included), `?`
 * matches exactly one character, `\x` matches `x` literally. Patterns are compiled once; matching
 * keeps a single fallback point, so its cost is at most the product of the two lengths and never
 * explodes the way a backtracking regular expression can.
 */
export interface Glob {
  /** The tokens: STAR, ANY, or one literal character (a code point, or a code unit in unit mode). */
  readonly tokens: readonly GlobToken[];
  /** True when some token is ANY, so the input must be split into code points before matching. */
  readonly codePoints: boolean;
  /** A pattern that ends in a lone `\` matches nothing, as in gjson. */
  readonly never: boolean;
}

export const STAR: unique symbol = Symbol('*');
export const ANY: unique symbol = Symbol('?');
export type GlobToken = typeof STAR | typeof ANY | string;

/** A piece of pattern text: a literal character or a wildcard. */
export type GlobPart = { literal: string } | typeof STAR | typeof ANY;

/** Builds a glob from parts that a caller already unescaped (the key parser does this). */
export function globFromParts(parts: readonly GlobPart[], never = false): Glob {
  const codePoints = parts.some((p) => p === ANY);
  const tokens: GlobToken[] = [];
  for (const part of parts) {
    if (part === STAR) {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else if (part === ANY) {
      tokens.push(ANY);
    } else if (codePoints) {
      tokens.push(part.literal);
    } else {
      // In unit mode the input is compared one UTF-16 unit at a time, so split astral characters too.
      for (let i = 0; i < part.literal.length; i++) tokens.push(part.literal.charAt(i));
    }
  }
  return { tokens, codePoints, never };
}

/** Compiles the pattern of a `%` / `!%` query (tidwall/match syntax). */
export function compileGlob(pattern: string): Glob {
  const parts: GlobPart[] = [];
  let never = false;
  for (let i = 0; i < pattern.length; ) {
    const cp = pattern.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    if (ch === '*') parts.push(STAR);
    else if (ch === '?') parts.push(ANY);
    else if (ch === '\\') {
      if (i >= pattern.length) {
        never = true;
        break;
      }
      const escaped = String.fromCodePoint(pattern.codePointAt(i) as number);
      i += escaped.length;
      parts.push({ literal: escaped });
    } else parts.push({ literal: ch });
  }
  return globFromParts(parts, never);
}

/** Whether `input` matches the whole pattern. */
export function globMatch(glob: Glob, input: string): boolean {
  if (glob.never) return false;
  const tokens = glob.tokens;
  if (tokens.length === 1 && tokens[0] === STAR) return true;
  const s: ArrayLike<string> = glob.codePoints ? Array.from(input) : input;
  let si = 0;
  let ti = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < s.length) {
    if (ti < tokens.length) {
      const t = tokens[ti];
      if (t === STAR) {
        starTi = ti++;
        starSi = si;
        continue;
      }
      if (t === ANY || t === s[si]) {
        ti++;
        si++;
        continue;
      }
    }
    if (starTi < 0) return false;
    // Let the last star swallow one more character and retry from there.
    ti = starTi + 1;
    si = ++starSi;
  }
  while (ti < tokens.length && tokens[ti] === STAR) ti++;
  return ti === tokens.length;
}
