import { isJsonObject, type Json, type JsonObject } from './kube-object.ts';

/**
 * A path to a field that does not depend on list positions: a map field, a list index (JSON
 * pointers), a list item picked by its key fields (`k:{"name":"web"}` in managed fields), or a set
 * member (`v:"x"`). Resolved against each object separately, since two lists may order items apart.
 */
export type Segment = { field: string } | { index: number } | { key: JsonObject } | { value: Json };
export type FieldPath = Segment[];
type Concrete = (string | number)[];

/** RFC 6901: `/spec/template/spec/containers/0/image`. */
export function parsePointer(pointer: string): FieldPath {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer (it must start with /)`);
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? { index: Number(s) } : { field: s }));
}

/**
 * The leaf paths of a managed-fields set (`fieldsV1`): `{"f:spec":{"f:replicas":{}}}` gives
 * spec.replicas. An entry that owns a list item as a whole (`.`) gives the item itself.
 */
export function fieldsV1Paths(fields: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isJsonObject(fields)) return [];
  const out: FieldPath[] = [];
  const keys = Object.keys(fields).filter((k) => k !== '.');
  if (keys.length === 0) return prefix.length > 0 ? [prefix] : [];
  for (const k of keys) {
    const child = fields[k];
    let segment: Segment | undefined;
    if (k.startsWith('f:')) segment = { field: k.slice(2) };
    else if (k.startsWith('k:')) segment = { key: safeParse(k.slice(2)) as JsonObject };
    else if (k.startsWith('v:')) segment = { value: safeParse(k.slice(2)) };
    if (!segment) continue;
    out.push(...fieldsV1Paths(child, [...prefix, segment]));
  }
  return out;
}

function safeParse(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** Where an abstract path is in one object, or undefined when some step is not there. */
export function resolve(root: Json | undefined, path: FieldPath): Concrete | undefined {
  const out: Concrete = [];
  let node: Json | undefined = root;
  for (const s of path) {
    if ('field' in s) {
      if (!isJsonObject(node) || !(s.field in node)) return undefined;
      out.push(s.field);
      node = node[s.field];
    } else if ('index' in s) {
      if (!Array.isArray(node) || s.index >= node.length) return undefined;
      out.push(s.index);
      node = node[s.index];
    } else {
      if (!Array.isArray(node)) return undefined;
      const i = node.findIndex((item) => ('key' in s ? matchesKey(item, s.key) : equal(item, s.value)));
      if (i < 0) return undefined;
      out.push(i);
      node = node[i];
    }
  }
  return out;
}

/** Key fields the item does not set count as matching: a manifest leaves defaulted keys (a port's protocol) out. */
function matchesKey(item: Json, key: JsonObject): boolean {
  return (
    isJsonObject(item) && Object.entries(key).every(([k, v]) => item[k] === undefined || equal(item[k], v))
  );
}

export function getAt(root: Json | undefined, path: Concrete): Json | undefined {
  let node: Json | undefined = root;
  for (const s of path) {
    if (typeof s === 'number') node = Array.isArray(node) ? node[s] : undefined;
    else node = isJsonObject(node) ? node[s] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

export function deleteAt(root: Json | undefined, path: Concrete): void {
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (isJsonObject(parent) && typeof last === 'string') delete parent[last];
}

export function setAt(root: Json | undefined, path: Concrete, value: Json): void {
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (Array.isArray(parent) && typeof last === 'number') parent[last] = value;
  else if (isJsonObject(parent) && typeof last === 'string') parent[last] = value;
}

/** Deletes an abstract path wherever it resolves (lists deleted from the end, so indices hold). */
export function removePaths(root: Json | undefined, paths: FieldPath[]): void {
  const concrete = paths
    .map((p) => resolve(root, p))
    .filter((p): p is Concrete => p !== undefined && p.length > 0);
  concrete.sort((a, b) => compareConcrete(b, a));
  for (const p of concrete) deleteAt(root, p);
}

function compareConcrete(a: Concrete, b: Concrete): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

/** `.spec.template.spec.containers[0].image`: how a diff names a field. */
export function formatPath(path: Concrete): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('') || '.';
}

export function equal(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}
