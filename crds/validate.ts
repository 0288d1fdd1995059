import type { ValidateFunction } from 'ajv';
import { createAjv } from './ajv.ts';
import type { LoadedDocument } from './documents.ts';
import type { EventBus } from './eventbus.ts';
import type { EventSource } from './eventsource.ts';
import { factorSchema } from './factor.ts';
import { FieldHints } from './field-hints.ts';
import { type FieldPath, formatPath, type ManifestIssue } from './issues.ts';
import { API_VERSIONS, KINDS, type KindDefinition, type SemanticProblem, type TypeSlot } from './kinds.ts';
import { describeSchemaErrors } from './schema-errors.ts';
import type { Sensor } from './sensor.ts';

/** A validated object of one of Impulse's kinds. */
export type ImpulseObject = EventSource | Sensor | EventBus;

export interface DocumentVerdict {
  source: LoadedDocument['source'];
  kind?: string;
  name?: string;
  /** `ignored`: a document of a kind Impulse does not own (a Workflow, a ConfigMap, ...). */
  status: 'valid' | 'invalid' | 'ignored';
  object?: ImpulseObject;
  errors: ManifestIssue[];
  warnings: ManifestIssue[];
  /** Why a document was ignored. */
  note?: string;
}

interface CompiledKind {
  definition: KindDefinition;
  validate: ValidateFunction;
  hints: FieldHints;
}

const compiled = new Map<string, CompiledKind>();

/**
 * Drops the compiled validators. A long-running process validates its one object at start and never
 * again; released, the validators' code and schemas (several MB) leave its heap.
 */
export function releaseValidators(): void {
  compiled.clear();
}

function compiledKind(kind: KindDefinition['kind']): CompiledKind {
  let entry = compiled.get(kind);
  if (!entry) {
    const definition = KINDS[kind];
    entry = {
      definition,
      // Factored, the validator is a tenth of the code and memory (see factor.ts).
      validate: createAjv({ inlineRefs: false }).compile(factorSchema(definition.schema)),
      hints: new FieldHints(definition.schema),
    };
    compiled.set(kind, entry);
  }
  return entry;
}

/** Validates one parsed document: its kind, its schema, and the checks beyond the schema. */
export function validateDocument(doc: LoadedDocument): DocumentVerdict {
  const value = doc.value;
  const issue = (
    path: FieldPath,
    message: string,
    severity: 'error' | 'warning' = 'error',
  ): ManifestIssue => ({
    source: doc.source,
    line: doc.lineOf(path),
    path: formatPath(path),
    message,
    severity,
  });

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      source: doc.source,
      status: 'invalid',
      errors: [issue([], 'expected a Kubernetes object (a YAML mapping)')],
      warnings: [],
    };
  }
  const object = value as Record<string, unknown>;
  const kind = typeof object.kind === 'string' ? object.kind : undefined;
  const metadata = object.metadata as { name?: unknown } | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const base = { source: doc.source, kind, name };

  if (!kind)
    return { ...base, status: 'invalid', errors: [issue(['kind'], 'is required but missing')], warnings: [] };
  if (!(kind in KINDS)) {
    return {
      ...base,
      status: 'ignored',
      errors: [],
      warnings: [],
      note: `kind ${kind} is not an Impulse kind`,
    };
  }
  const apiVersion = object.apiVersion;
  if (typeof apiVersion !== 'string' || !(API_VERSIONS as readonly string[]).includes(apiVersion)) {
    const found = apiVersion === undefined ? 'nothing' : JSON.stringify(apiVersion);
    return {
      ...base,
      status: 'invalid',
      errors: [issue(['apiVersion'], `expected ${API_VERSIONS.join(' or ')}, found ${found}`)],
      warnings: [],
    };
  }

  const { definition, validate, hints } = compiledKind(kind as KindDefinition['kind']);
  const errors: ManifestIssue[] = [];
  const warnings: ManifestIssue[] = [];

  // Types Impulse does not support are reported once, by name, and left out of the schema check.
  const checked = structuredClone(object);
  for (const slot of definition.typeSlots(object)) {
    for (const problem of unsupportedTypes(checked, slot)) errors.push(issue(problem.path, problem.message));
  }

  if (!validate(checked)) {
    for (const problem of describeSchemaErrors(validate.errors ?? [], checked, hints)) {
      errors.push(issue(problem.path, problem.message));
    }
  }
  if (!metadata || typeof name !== 'string' || name === '') {
    if (!errors.some((e) => e.path === 'metadata.name'))
      errors.push(issue(['metadata', 'name'], 'is required but missing'));
  }

  // Checks beyond the schema only run on objects of the right shape.
  if (errors.length === 0) {
    for (const problem of definition.semantics(object as never) as SemanticProblem[]) {
      const target = problem.severity === 'warning' ? warnings : errors;
      target.push(issue(problem.path, problem.message, problem.severity ?? 'error'));
    }
  }

  if (errors.length > 0) return { ...base, status: 'invalid', errors, warnings };
  return { ...base, status: 'valid', object: object as unknown as ImpulseObject, errors, warnings };
}

function unsupportedTypes(root: Record<string, unknown>, slot: TypeSlot): SemanticProblem[] {
  let holder: unknown = root;
  for (const segment of slot.path) {
    holder =
      holder && typeof holder === 'object'
        ? (holder as Record<string | number, unknown>)[segment]
        : undefined;
  }
  if (!holder || typeof holder !== 'object') return [];
  const map = holder as Record<string, unknown>;
  const problems: SemanticProblem[] = [];
  for (const key of Object.keys(map)) {
    const known = slot.unsupported.includes(key);
    const planned = slot.planned.includes(key);
    if (!known && !planned) continue;
    const why = planned ? 'is not available in this version of Impulse' : 'is not supported by Impulse';
    problems.push({
      path: [...slot.path, key],
      message: `${slot.what} type "${key}" ${why}; supported ${slot.what} types: ${slot.supported.join(', ')}`,
    });
    delete map[key];
  }
  return problems;
}
