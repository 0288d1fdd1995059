import { formatFloatPlain } from './go-number.ts';

/**
 * The string form of a value found at a path, as gjson's `Result.String()` gives it, which is what
 * Argo Events compares data filters against: a string as it is (no quotes), a number in plain
 * decimal (`1e21` written out, `0.5`), `true` / `false`, an object or array as compact JSON, and
 * `null` or a missing value as the empty string.
 */
export function valueToString(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatFloatPlain(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      return value === null ? '' : (JSON.stringify(value) ?? '');
    default:
      return '';
  }
}
