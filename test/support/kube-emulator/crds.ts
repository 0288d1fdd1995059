import { arr, isObject, type JsonObject, type KubeObject, obj, str } from './json.ts';
import { type ResourceType, STANDARD_VERBS } from './resources.ts';
import type { StatusCause } from './status.ts';

/**
 * CustomResourceDefinitions: checking one the way the API server does the parts that matter, turning
 * it into the resources it serves, and the status the API server's controllers give it.
 */

const required = (field: string): StatusCause => ({
  reason: 'FieldValueRequired',
  message: 'Required value',
  field,
});

export function validateCrd(crd: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = obj(crd, 'spec');
  const names = obj(spec, 'names');
  const group = str(spec, 'group');
  const plural = str(names, 'plural');
  if (!group) causes.push(required('spec.group'));
  if (!plural) causes.push(required('spec.names.plural'));
  if (!str(names, 'kind')) causes.push(required('spec.names.kind'));
  const scope = str(spec, 'scope');
  if (scope !== 'Namespaced' && scope !== 'Cluster') {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: "${scope ?? ''}": supported values: "Cluster", "Namespaced"`,
      field: 'spec.scope',
    });
  }
  const name = str(crd.metadata, 'name');
  if (group && plural && name !== `${plural}.${group}`) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
      field: 'metadata.name',
    });
  }
  const versions = (arr(spec, 'versions') ?? []).filter(isObject);
  if (versions.length === 0) causes.push(required('spec.versions'));
  const storage = versions.filter((v) => v.storage === true).length;
  if (versions.length > 0 && storage !== 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${JSON.stringify(versions)}: must have exactly one version marked as storage version`,
      field: 'spec.versions',
    });
  }
  versions.forEach((v, i) => {
    if (!str(v, 'name')) causes.push(required(`spec.versions[${i}].name`));
    if (typeof v.served !== 'boolean') causes.push(required(`spec.versions[${i}].served`));
    const schema = obj(obj(v, 'schema'), 'openAPIV3Schema');
    if (!schema) causes.push(required(`spec.versions[${i}].schema.openAPIV3Schema`));
    else if (schema.type !== 'object') {
      causes.push({
        reason: 'FieldValueInvalid',
        message: 'Invalid value: must be object at the root',
        field: `spec.versions[${i}].schema.openAPIV3Schema.type`,
      });
    }
  });
  return causes;
}

/** The resources a (valid) CRD serves: one per served version. */
export function crdResources(crd: KubeObject): ResourceType[] {
  const spec = obj(crd, 'spec') ?? {};
  const names = obj(spec, 'names') ?? {};
  const kind = str(names, 'kind') ?? '';
  const crdName = str(crd.metadata, 'name') ?? '';
  return (arr(spec, 'versions') ?? [])
    .filter(isObject)
    .filter((v) => v.served === true)
    .map((v) => {
      const statusSub = obj(obj(v, 'subresources'), 'status') !== undefined;
      return {
        group: str(spec, 'group') ?? '',
        version: str(v, 'name') ?? '',
        kind,
        listKind: str(names, 'listKind') ?? `${kind}List`,
        plural: str(names, 'plural') ?? '',
        singular: str(names, 'singular') ?? kind.toLowerCase(),
        namespaced: spec.scope === 'Namespaced',
        shortNames: (arr(names, 'shortNames') ?? []).map(String),
        categories: (arr(names, 'categories') ?? []).map(String),
        verbs: STANDARD_VERBS,
        statusSubresource: statusSub,
        generation: true,
        custom: { schema: obj(obj(v, 'schema'), 'openAPIV3Schema'), crdName },
      };
    });
}

/** What the apiextensions controllers report once a CRD is accepted: names accepted, established. */
export function crdStatus(crd: KubeObject, time: string): JsonObject {
  const spec = obj(crd, 'spec') ?? {};
  const names = { ...(obj(spec, 'names') ?? {}) };
  if (names.singular === undefined) names.singular = String(names.kind ?? '').toLowerCase();
  if (names.listKind === undefined) names.listKind = `${String(names.kind ?? '')}List`;
  const storage = (arr(spec, 'versions') ?? []).filter(isObject).find((v) => v.storage === true);
  const previous = (arr(obj(crd, 'status'), 'storedVersions') ?? []).map(String);
  const stored = [...new Set([...previous, str(storage, 'name') ?? ''])].filter(Boolean);
  const condition = (type: string, reason: string, message: string): JsonObject => ({
    type,
    status: 'True',
    lastTransitionTime: time,
    reason,
    message,
  });
  return {
    acceptedNames: names,
    conditions: [
      condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
      condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
    ],
    storedVersions: stored,
  };
}
