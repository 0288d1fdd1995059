import { RE2JS } from 're2js';
import { ImpulseError } from '../../core/errors.ts';
import { fieldRequirementProblem, labelRequirementProblem } from '../../crds/semantics/resource.ts';
import { RESOURCE_EVENT_TYPES, type ResourceSelector } from '../../crds/sources/resource.ts';
import { type CompiledPath, compilePath } from '../../sensors/paths/index.ts';
import type { SourceConfig } from '../types.ts';

export type ResourceConfig = SourceConfig<'resource'>;
export type ResourceEventType = (typeof RESOURCE_EVENT_TYPES)[number];

/** One `filter.fields` requirement, compiled: a gjson path and an unanchored RE2 pattern. */
export interface FieldRequirement {
  path: CompiledPath;
  pattern: RE2JS;
  /** `!=`: the value must not match. */
  negate: boolean;
}

/** A `spec.resource.<event>` entry, read once. */
export interface ResolvedResource {
  group: string;
  version: string;
  resource: string;
  /** Empty: every namespace. */
  namespace: string;
  eventTypes: ReadonlySet<ResourceEventType>;
  /** The `filter.labels` as a Kubernetes label selector, sent to the API server; empty for none. */
  labelSelector: string;
  prefix: string;
  fields: FieldRequirement[];
  /** Epoch ms of `filter.createdBy`: only objects created at or before it. */
  createdBy: number | undefined;
  afterStart: boolean;
  metadata: Record<string, string> | undefined;
}

/** Reads and checks one resource event's configuration; errors name the field under `path`. */
export function resolveResource(config: ResourceConfig, path: string): ResolvedResource {
  const filter = config.filter ?? {};
  const eventTypes = new Set<ResourceEventType>();
  for (const t of config.eventTypes) {
    if (!RESOURCE_EVENT_TYPES.includes(t)) {
      throw new ImpulseError(
        'INVALID_MANIFEST',
        `${path}.eventTypes: unknown event type "${t}"; use ADD, UPDATE or DELETE`,
      );
    }
    eventTypes.add(t);
  }
  const labels = (filter.labels ?? []).map((sel, i) => {
    const problem = labelRequirementProblem(sel);
    if (problem) throw new ImpulseError('INVALID_MANIFEST', `${path}.filter.labels[${i}]: ${problem}`);
    return labelRequirement(sel);
  });
  const fields = (filter.fields ?? []).map((sel, i): FieldRequirement => {
    const where = `${path}.filter.fields[${i}]`;
    const problem = fieldRequirementProblem(sel);
    if (problem) throw new ImpulseError('INVALID_MANIFEST', `${where}: ${problem}`);
    let compiled: CompiledPath;
    try {
      compiled = compilePath(sel.key);
    } catch (err) {
      throw new ImpulseError('INVALID_MANIFEST', `${where}.key: ${(err as Error).message}`, { cause: err });
    }
    return { path: compiled, pattern: RE2JS.compile(sel.value ?? ''), negate: sel.operation === '!=' };
  });
  let createdBy: number | undefined;
  if (filter.createdBy) {
    createdBy = Date.parse(filter.createdBy);
    if (Number.isNaN(createdBy)) {
      throw new ImpulseError(
        'INVALID_MANIFEST',
        `${path}.filter.createdBy: expected an RFC 3339 time such as "2024-04-06T12:52:11Z", found "${filter.createdBy}"`,
      );
    }
  }
  const metadata = config.metadata && Object.keys(config.metadata).length > 0 ? config.metadata : undefined;
  return {
    group: config.group ?? '',
    version: config.version,
    resource: config.resource,
    namespace: config.namespace ?? '',
    eventTypes,
    labelSelector: labels.join(','),
    prefix: filter.prefix ?? '',
    fields,
    createdBy,
    afterStart: filter.afterStart ?? false,
    metadata,
  };
}

/**
 * One requirement in the API's selector syntax, as Kubernetes' `labels.Requirement.String()` writes
 * it. Argo's operations are the `selection` package's: `=`, `==`, `!=`, `in`, `notin`, `exists`,
 * `!` (does not exist), `gt`, `lt`; none means `=`; `in`/`notin` take comma-separated values.
 */
export function labelRequirement(sel: ResourceSelector): string {
  const value = sel.value ?? '';
  switch (sel.operation ?? '=') {
    case '=':
      return `${sel.key}=${value}`;
    case '==':
      return `${sel.key}==${value}`;
    case '!=':
      return `${sel.key}!=${value}`;
    case 'in':
      return `${sel.key} in (${value.split(',').join(',')})`;
    case 'notin':
      return `${sel.key} notin (${value.split(',').join(',')})`;
    case 'exists':
      return sel.key;
    case '!':
      return `!${sel.key}`;
    case 'gt':
      return `${sel.key}>${value}`;
    case 'lt':
      return `${sel.key}<${value}`;
  }
}
