import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.ts';
import { itemKey, listKindAt } from './list-kinds.ts';
import type { ResourceType } from './resources.ts';

/**
 * Field paths in the notation of `managedFields` (fieldsV1): `f:<field>`, `k:<key json>` for an item
 * of a keyed list, `v:<value json>` for a member of a set. A path is stored as the JSON of its
 * elements so that paths can live in a `Set<string>`.
 */
export type PathElement = string;

export const encodePath = (elements: PathElement[]): string => JSON.stringify(elements);
export const decodePath = (path: string): PathElement[] => JSON.parse(path) as PathElement[];

/** Stable JSON (sorted keys) so equal keys give equal path strings. */
function stableJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Metadata that is the server's, never a manager's. */
const SYSTEM_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

/** Which part of an object a write may own: the main resource (status excluded when it is a subresource), or status. */
export type Part = 'main' | 'status';

/**
 * The owned paths of an object: every leaf (scalar, atomic list, empty map, set member) and every
 * keyed-list item. Paths are gathered from the part of the object that the write addresses.
 */
export function fieldSet(type: ResourceType, object: JsonObject, part: Part): Set<string> {
  const out = new Set<string>();
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (part === 'status' && key !== 'status') continue;
    if (part === 'main' && key === 'status' && type.statusSubresource) continue;
    if (key === 'metadata' && isObject(value)) {
      for (const [mk, mv] of Object.entries(value)) {
        if (!SYSTEM_METADATA.has(mk)) walk(type, mv, ['metadata', mk], ['f:metadata', `f:${mk}`], out);
      }
      continue;
    }
    walk(type, value, [key], [`f:${key}`], out);
  }
  return out;
}

function walk(
  type: ResourceType,
  value: Json,
  fields: string[],
  path: PathElement[],
  out: Set<string>,
): void {
  if (isObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) walk(type, v, [...fields, k], [...path, `f:${k}`], out);
    return;
  }
  if (Array.isArray(value) && value.length > 0) {
    const kind = listKindAt(type, fields);
    if (kind.type === 'set' && value.every((v) => !isObject(v) && !Array.isArray(v))) {
      for (const item of value) out.add(encodePath([...path, `v:${stableJson(item)}`]));
      return;
    }
    if (kind.type === 'map') {
      const keys = value.map((item) => itemKey(item, kind.keys));
      if (keys.every((k) => k !== undefined)) {
        value.forEach((item, i) => {
          const itemPath = [...path, `k:${stableJson(keys[i] as JsonObject)}`];
          out.add(encodePath(itemPath));
          for (const [k, v] of Object.entries(item as JsonObject))
            walk(type, v, [...fields, k], [...itemPath, `f:${k}`], out);
        });
        return;
      }
    }
  }
  out.add(encodePath(path));
}

/** Whether a path names a keyed-list item (rather than a leaf). */
export function isItemPath(path: string): boolean {
  const elements = decodePath(path);
  return elements[elements.length - 1]?.startsWith('k:') ?? false;
}

/** The value at a path, or undefined when it does not exist. */
export function valueAt(object: JsonObject, path: string): Json | undefined {
  let current: Json | undefined = object;
  for (const element of decodePath(path)) {
    const body = element.slice(2);
    if (element.startsWith('f:')) current = isObject(current) ? current[body] : undefined;
    else if (element.startsWith('k:')) {
      const key = JSON.parse(body) as JsonObject;
      current = Array.isArray(current) ? current.find((item) => matchesKey(item, key)) : undefined;
    } else {
      const member = JSON.parse(body) as Json;
      current = Array.isArray(current) ? current.find((item) => deepEqual(item, member)) : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

function matchesKey(item: Json, key: JsonObject): boolean {
  return isObject(item) && Object.entries(key).every(([k, v]) => deepEqual(item[k], v));
}

/** Sets the value at a path, creating maps, keyed items and set members on the way. */
export function setAt(object: JsonObject, path: string, value: Json): void {
  const elements = decodePath(path);
  let container: Json = object;
  elements.forEach((element, i) => {
    const last = i === elements.length - 1;
    const body = element.slice(2);
    if (element.startsWith('f:') && isObject(container)) {
      if (last) container[body] = clone(value);
      else {
        const next: Json | undefined = container[body];
        const nextIsList = elements[i + 1]?.startsWith('f:') === false;
        if (nextIsList ? !Array.isArray(next) : !isObject(next)) container[body] = nextIsList ? [] : {};
        container = container[body] as Json;
      }
    } else if (element.startsWith('k:') && Array.isArray(container)) {
      const key = JSON.parse(body) as JsonObject;
      let item = container.find((it) => matchesKey(it, key));
      if (!item) {
        item = last && isObject(value) ? clone(value) : clone(key);
        container.push(item);
      }
      container = item;
    } else if (element.startsWith('v:') && Array.isArray(container)) {
      const member = JSON.parse(body) as Json;
      if (!container.some((it) => deepEqual(it, member))) container.push(member);
    }
  });
}

/** Removes the field, item or set member at a path; then drops maps the removal left empty. */
export function removeAt(object: JsonObject, path: string): void {
  const elements = decodePath(path);
  const trail: Json[] = [object];
  let current: Json | undefined = object;
  for (const element of elements.slice(0, -1)) {
    current = valueAt({ x: current ?? null }, encodePath(['f:x', element]));
    if (current === undefined) return;
    trail.push(current);
  }
  const parent = trail[trail.length - 1];
  const lastElement = elements[elements.length - 1] ?? '';
  const body = lastElement.slice(2);
  if (lastElement.startsWith('f:') && isObject(parent)) delete parent[body];
  else if (Array.isArray(parent)) {
    const index = lastElement.startsWith('k:')
      ? parent.findIndex((it) => matchesKey(it, JSON.parse(body) as JsonObject))
      : parent.findIndex((it) => deepEqual(it, JSON.parse(body) as Json));
    if (index >= 0) parent.splice(index, 1);
  }
  // Walk back up: a map emptied by the removal goes too (keyed items keep their key fields).
  for (let i = trail.length - 1; i > 0; i--) {
    const node = trail[i];
    const element = elements[i - 1] ?? '';
    if (!isObject(node) || Object.keys(node).length > 0 || !element.startsWith('f:')) break;
    const holder = trail[i - 1];
    if (isObject(holder)) delete holder[element.slice(2)];
  }
}

/** Renders a path the way conflict messages do: `.spec.containers[name="app"].image`. */
export function describePath(path: string): string {
  return decodePath(path)
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith('f:')) return `.${body}`;
      if (element.startsWith('k:')) {
        const key = JSON.parse(body) as JsonObject;
        return `[${Object.entries(key)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      }
      return `[=${body}]`;
    })
    .join('');
}

/** Encodes a set of paths as a fieldsV1 tree (`.` marks an owned node that also has children). */
export function toFieldsV1(paths: Iterable<string>): JsonObject {
  const root: JsonObject = {};
  const members: JsonObject[] = [];
  for (const path of paths) {
    let node = root;
    for (const element of decodePath(path)) {
      const next = node[element];
      if (isObject(next)) node = next;
      else {
        const created: JsonObject = {};
        node[element] = created;
        node = created;
      }
    }
    members.push(node);
  }
  for (const node of members) if (Object.keys(node).length > 0) node['.'] = {};
  return sortTree(root);
}

function sortTree(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(node).sort()) out[key] = sortTree(node[key] as JsonObject);
  return out;
}

/** Decodes a fieldsV1 tree into the set of owned paths. */
export function fromFieldsV1(tree: Json | undefined): Set<string> {
  const out = new Set<string>();
  const visit = (node: JsonObject, path: PathElement[]) => {
    const children = Object.keys(node).filter((k) => k !== '.');
    if (path.length > 0 && (children.length === 0 || Object.hasOwn(node, '.'))) out.add(encodePath(path));
    for (const child of children) {
      const value = node[child];
      if (isObject(value)) visit(value, [...path, child]);
    }
  };
  if (isObject(tree)) visit(tree, []);
  return out;
}
