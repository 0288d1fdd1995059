/**
 * Go's `encoding/json` as Sprig's `toJson`, `toPrettyJson` and `toRawJson` use it: map keys
 * sorted, `<`, `>` and `&` escaped as `\u003c` ... unless raw, U+2028 and U+2029 always escaped,
 * times as RFC 3339 strings.
 */
import { GoFuncError } from './errors.ts';
import { goTimeJson } from './go-time.ts';
import { GoInt, GoTime, isMap, sortedKeys } from './values.ts';

export interface JsonOptions {
  escapeHtml: boolean;
  /** Indentation per level; empty for compact output. */
  indent: string;
}

const HEX = '0123456789abcdef';

/** A JSON string literal as Go writes it. */
export function goJsonString(s: string, escapeHtml: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const ch = s[i]!;
    if (code >= 0x20 && ch !== '"' && ch !== '\\' && code < 0x7f) {
      if (escapeHtml && (ch === '<' || ch === '>' || ch === '&'))
        out += `\\u00${HEX[code >> 4]}${HEX[code & 15]}`;
      else out += ch;
      continue;
    }
    if (code < 0x80) {
      switch (ch) {
        case '"':
          out += '\\"';
          break;
        case '\\':
          out += '\\\\';
          break;
        case '\n':
          out += '\\n';
          break;
        case '\r':
          out += '\\r';
          break;
        case '\t':
          out += '\\t';
          break;
        case '\b':
          out += '\\b';
          break;
        case '\f':
          out += '\\f';
          break;
        default:
          out += `\\u00${HEX[code >> 4]}${HEX[code & 15]}`;
      }
      continue;
    }
    if (code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16)}`;
      continue;
    }
    if (code >= 0xd800 && code < 0xdc00 && i + 1 < s.length) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        out += s.slice(i, i + 2);
        i++;
        continue;
      }
    }
    out += code >= 0xd800 && code < 0xe000 ? '\\ufffd' : ch;
  }
  return `${out}"`;
}

/** `json.Marshal` (or `MarshalIndent` with `indent`); unsupported values are a GoFuncError. */
export function goJson(v: unknown, options: JsonOptions): string {
  return encode(v, options, '');
}

function encode(v: unknown, o: JsonOptions, prefix: string): string {
  if (v === undefined || v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return goJsonString(v, o.escapeHtml);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new GoFuncError(`json: unsupported value: ${formatSpecial(v)}`);
      return Object.is(v, -0) ? '-0' : String(v);
  }
  if (v instanceof GoInt) return v.value.toString();
  if (v instanceof GoTime) return `"${goTimeJson(v)}"`;
  const inner = prefix + o.indent;
  const nl = o.indent ? '\n' : '';
  const colon = o.indent ? ': ' : ':';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((e) => inner + encode(e, o, inner)).join(`,${nl}`)}${nl}${prefix}]`;
  }
  if (isMap(v)) {
    const keys = sortedKeys(v);
    if (keys.length === 0) return '{}';
    const entries = keys.map(
      (k) => `${inner}${goJsonString(k, o.escapeHtml)}${colon}${encode(v[k], o, inner)}`,
    );
    return `{${nl}${entries.join(`,${nl}`)}${nl}${prefix}}`;
  }
  throw new GoFuncError(`json: unsupported type: ${typeof v}`);
}

function formatSpecial(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

/** `json.Unmarshal` into `interface{}`: numbers become float64, as JSON.parse gives them. */
export function goJsonParse(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
