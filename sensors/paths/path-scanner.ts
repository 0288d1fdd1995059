import { pathSyntaxError } from './parse-error.ts';

/** Bytes up to the space character count as blanks, as in gjson's trim. */
function isBlank(c: string): boolean {
  return c.length > 0 && c <= ' ';
}

/**
 * The low-level reading the gjson parser builds on: strings, balanced brackets, blanks, and
 * errors that name the character where the path goes wrong.
 */
export class PathScanner {
  constructor(protected readonly src: string) {}

  protected error(problem: string, index: number): Error {
    return pathSyntaxError(this.src, problem, index);
  }

  protected json(text: string, at: number): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw this.error(`invalid JSON literal ${JSON.stringify(text)}`, at);
    }
  }

  /** Index just past the bracket or string that starts at `j`. */
  protected balanced(j: number, end: number): number {
    if (this.src.charAt(j) === '"') return this.skipString(j, end) + 1;
    let depth = 0;
    for (let k = j; k < end; k++) {
      const c = this.src.charAt(k);
      if (c === '"') k = this.skipString(k, end);
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return k + 1;
      }
    }
    throw this.error(`the "${this.src.charAt(j)}" is not closed`, j);
  }

  /** Index of the quote that closes the string opened at `j`. */
  protected skipString(j: number, end: number): number {
    for (let k = j + 1; k < end; k++) {
      const c = this.src.charAt(k);
      if (c === '\\') k++;
      else if (c === '"') return k;
    }
    throw this.error('the string is not closed', j);
  }

  protected trim(start: number, stop: number): [number, number] {
    let a = start;
    let b = stop;
    while (a < b && isBlank(this.src.charAt(a))) a++;
    while (b > a && isBlank(this.src.charAt(b - 1))) b--;
    return [a, b];
  }

  protected expectSeparator(k: number, end: number, what: string): void {
    if (k < end && this.src.charAt(k) !== '.' && this.src.charAt(k) !== '|') {
      throw this.error(
        `unexpected ${JSON.stringify(this.src.charAt(k))} after ${what} (expected "." or "|")`,
        k,
      );
    }
  }
}

/** The key gjson gives a multipath member without a name: its last component, or `_`. */
export function nameOfLast(path: string): string {
  let last = path;
  for (let i = path.length - 1; i >= 0; i--) {
    const c = path.charAt(i);
    if ((c === '.' || c === '|') && !(i > 0 && path.charAt(i - 1) === '\\')) {
      last = path.slice(i + 1);
      break;
    }
  }
  for (const c of last) {
    if (c < ' ' || '[]{}()#|!'.includes(c)) return '_';
  }
  return last;
}
