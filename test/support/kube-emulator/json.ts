/** JSON values as the emulator stores them, and the small helpers every other module needs. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** A stored Kubernetes object: a JSON object whose `metadata` the emulator keeps well-formed. */
export interface KubeObject extends JsonObject {
  metadata: ObjectMeta;
}

export interface ObjectMeta extends JsonObject {}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

/** Structural equality; key order in objects does not matter, order in arrays does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** Reads a string field, or undefined when it is absent or not a string. */
export function str(obj: JsonObject | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Reads a nested object field, or undefined. */
export function obj(parent: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = parent?.[key];
  return isObject(value) ? value : undefined;
}

/** Reads a nested array field, or undefined. */
export function arr(parent: JsonObject | undefined, key: string): Json[] | undefined {
  const value = parent?.[key];
  return Array.isArray(value) ? value : undefined;
}

/** Reads a map of strings (labels, annotations), dropping anything that is not a string. */
export function stringMap(parent: JsonObject | undefined, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  const value = obj(parent, key);
  if (!value) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Ensures `parent[key]` is an object and returns it. */
export function ensureObject(parent: JsonObject, key: string): JsonObject {
  const existing = parent[key];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}
