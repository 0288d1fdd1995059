import type { ErrorObject } from 'ajv';
import { closestName, type FieldHints } from './field-hints.ts';
import { type FieldPath, formatPath, pointerToPath } from './issues.ts';

/** A schema violation in words, at a field path. */
export interface SchemaProblem {
  path: FieldPath;
  message: string;
}

/**
 * Turns ajv's raw errors into one plain sentence per problem. Alternatives (`anyOf`) that failed
 * because of a deeper, more specific error are folded into that error; type errors from the
 * branches of one union become one "expected a or b" sentence.
 */
export function describeSchemaErrors(
  errors: readonly ErrorObject[],
  root: unknown,
  hints: FieldHints,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const typesByPointer = new Map<string, Set<string>>();
  const pointersWithSpecificErrors = new Set<string>();

  for (const error of errors) {
    if (error.keyword === 'type') {
      const set = typesByPointer.get(error.instancePath) ?? new Set<string>();
      for (const t of String(error.params.type).split(',')) set.add(t);
      typesByPointer.set(error.instancePath, set);
    } else if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') {
      pointersWithSpecificErrors.add(error.instancePath);
    }
  }

  for (const error of errors) {
    const path = pointerToPath(error.instancePath, root);
    switch (error.keyword) {
      case 'additionalProperties': {
        const field = String(error.params.additionalProperty);
        problems.push({
          path: [...path, field],
          message: unknownFieldMessage([...path, field], error, hints),
        });
        break;
      }
      case 'required':
        problems.push({
          path: [...path, String(error.params.missingProperty)],
          message: 'is required but missing',
        });
        break;
      case 'type': {
        // Reported once per pointer, with every type any branch would have accepted.
        const types = typesByPointer.get(error.instancePath);
        if (!types) break;
        typesByPointer.delete(error.instancePath);
        if (pointersWithSpecificErrors.has(error.instancePath) && types.size > 1) break;
        problems.push({
          path,
          message: `expected ${joinOr([...types])}, found ${describeValue(valueAt(root, path))}`,
        });
        break;
      }
      case 'enum':
        problems.push({
          path,
          message: `expected one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, found ${JSON.stringify(valueAt(root, path))}`,
        });
        break;
      case 'const':
        problems.push({
          path,
          message: `expected ${JSON.stringify(error.params.allowedValue)}, found ${JSON.stringify(valueAt(root, path))}`,
        });
        break;
      case 'if':
        // A conditional requirement (`if`/`else`): the branch's own errors say what is missing.
        break;
      case 'anyOf':
      case 'oneOf': {
        const hasDeeper = [...pointersWithSpecificErrors, ...typesByPointer.keys()].some(
          (p) => p === error.instancePath || p.startsWith(`${error.instancePath}/`),
        );
        if (!hasDeeper) problems.push({ path, message: 'does not match any of the allowed forms' });
        break;
      }
      default:
        problems.push({ path, message: error.message ?? `fails the ${error.keyword} rule` });
    }
  }
  return dedupe(problems);
}

function unknownFieldMessage(path: FieldPath, error: ErrorObject, hints: FieldHints): string {
  const name = String(path[path.length - 1]);
  const belongsAt = hints.belongsAt(path);
  if (belongsAt) return `is not a field here; ${name} belongs at ${belongsAt}`;
  const declared = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
  const suggestion = closestName(name, declared);
  if (suggestion) return `is not a field here; did you mean ${suggestion}?`;
  const listed = declared.length > 0 && declared.length <= 12 ? ` (fields here: ${declared.join(', ')})` : '';
  return `is not a known field${listed}`;
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function joinOr(types: string[]): string {
  const words = types.map((t) => (t === 'object' ? 'an object' : t === 'array' ? 'a list' : `a ${t}`));
  return words.length <= 1
    ? (words[0] ?? 'another type')
    : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function dedupe(problems: SchemaProblem[]): SchemaProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${formatPath(p.path)}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
