import { isObject, type JsonObject } from './json.ts';
import type { ResourceType } from './resources.ts';

/**
 * How a list merges, for strategic merge patch and server-side apply: items matched by key fields
 * (`map`), primitive values as a set (`set`), or the list replaced as a whole (`atomic`).
 */
export type ListKind = { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' };

const ATOMIC: ListKind = { type: 'atomic' };
const byKey = (...keys: string[]): ListKind => ({ type: 'map', keys });

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The list keys of the built-in kinds that matter in practice, by field name. */
const BUILTIN_LISTS: Record<string, ListKind> = {
  containers: byKey('name'),
  initContainers: byKey('name'),
  ephemeralContainers: byKey('name'),
  env: byKey('name'),
  volumes: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
  imagePullSecrets: byKey('name'),
  hostAliases: byKey('ip'),
  conditions: byKey('type'),
  ownerReferences: byKey('uid'),
  resourceClaims: byKey('name'),
  finalizers: { type: 'set' },
};

/**
 * The list kind of the list at `fieldPath` (field names from the object root; list items are
 * stepped through implicitly).
 */
export function listKindAt(type: ResourceType, fieldPath: readonly string[]): ListKind {
  const last = fieldPath[fieldPath.length - 1] ?? '';
  if (fieldPath.length === 2 && fieldPath[0] === 'metadata') return BUILTIN_LISTS[last] ?? ATOMIC;
  if (type.custom) return schemaListKind(type.custom.schema, fieldPath);
  if (last === 'ports') {
    const inContainer = fieldPath.some((p) => CONTAINER_LISTS.has(p));
    return inContainer ? byKey('containerPort') : byKey('port');
  }
  return BUILTIN_LISTS[last] ?? ATOMIC;
}

/** Descends a structural schema along field names, stepping into `items` where it meets an array. */
export function schemaAt(
  schema: JsonObject | undefined,
  fieldPath: readonly string[],
): JsonObject | undefined {
  let current = schema;
  for (const field of fieldPath) {
    while (current && current.type === 'array' && isObject(current.items)) current = current.items;
    if (!current) return undefined;
    const props = current.properties;
    if (isObject(props) && isObject(props[field])) current = props[field];
    else if (isObject(current.additionalProperties)) current = current.additionalProperties;
    else return undefined;
  }
  return current;
}

function schemaListKind(schema: JsonObject | undefined, fieldPath: readonly string[]): ListKind {
  const at = schemaAt(schema, fieldPath);
  if (!at) return ATOMIC;
  const listType = at['x-kubernetes-list-type'];
  if (listType === 'set') return { type: 'set' };
  if (listType === 'map') {
    const keys = at['x-kubernetes-list-map-keys'];
    if (Array.isArray(keys) && keys.every((k) => typeof k === 'string'))
      return { type: 'map', keys: keys as string[] };
  }
  return ATOMIC;
}

/** The key of a list item under a map-kind list, or undefined when the item lacks a key field. */
export function itemKey(item: unknown, keys: readonly string[]): JsonObject | undefined {
  if (!isObject(item)) return undefined;
  const out: JsonObject = {};
  for (const key of keys) {
    const value = item[key];
    if (value === undefined) return undefined;
    out[key] = value;
  }
  return out;
}
