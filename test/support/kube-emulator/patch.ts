import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.ts';
import { itemKey, listKindAt } from './list-kinds.ts';
import type { ResourceType } from './resources.ts';
import { ApiError, errors } from './status.ts';

/** JSON merge patch (RFC 7386): objects merge, `null` deletes, anything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function invalidPatch(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw invalidPatch(`invalid JSON pointer: "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Finds the container of the last segment, or fails with the API server's kind of message. */
function parentOf(doc: Json, parts: string[], pointer: string): { parent: Json; last: string } {
  let current: Json | undefined = doc;
  for (const part of parts.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isObject(current)) current = current[part];
    else current = undefined;
    if (current === undefined) throw invalidPatch(`doc is missing path: "${pointer}": missing value`);
  }
  return { parent: current as Json, last: parts[parts.length - 1] ?? '' };
}

function getAt(doc: Json, pointer: string): Json {
  const parts = parsePointer(pointer);
  if (parts.length === 0) return doc;
  const { parent, last } = parentOf(doc, parts, pointer);
  const value = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
  if (value === undefined) throw invalidPatch(`doc is missing path: "${pointer}": missing value`);
  return value;
}

function removeAt(doc: Json, pointer: string): Json {
  const parts = parsePointer(pointer);
  const { parent, last } = parentOf(doc, parts, pointer);
  const value = getAt(doc, pointer);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return value;
}

function addAt(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const parts = parsePointer(pointer);
  if (parts.length === 0) return value;
  const { parent, last } = parentOf(doc, parts, pointer);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length - (replace ? 1 : 0)) {
      throw invalidPatch(`unable to access invalid index: ${last}`);
    }
    parent.splice(index, replace ? 1 : 0, value);
  } else if (isObject(parent)) {
    if (replace && !Object.hasOwn(parent, last))
      throw invalidPatch(`doc is missing key: ${pointer}: missing value`);
    parent[last] = value;
  } else {
    throw invalidPatch(`doc is missing path: "${pointer}": missing value`);
  }
  return doc;
}

/** JSON patch (RFC 6902). A malformed patch is 400; one that cannot be applied is 422. */
export function jsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch))
    throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(target);
  for (const op of patch) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      throw errors.badRequest('invalid JSON patch operation: each needs "op" and "path"');
    }
    const path = op.path;
    const from = typeof op.from === 'string' ? op.from : undefined;
    const needValue = () => {
      if (op.value === undefined) throw invalidPatch(`missing value for "${op.op}" at ${path}`);
      return clone(op.value);
    };
    switch (op.op) {
      case 'add':
        doc = addAt(doc, path, needValue(), false);
        break;
      case 'replace':
        getAt(doc, path);
        doc = addAt(doc, path, needValue(), true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move': {
        if (from === undefined) throw errors.badRequest('"move" needs "from"');
        doc = addAt(doc, path, removeAt(doc, from), false);
        break;
      }
      case 'copy':
        if (from === undefined) throw errors.badRequest('"copy" needs "from"');
        doc = addAt(doc, path, clone(getAt(doc, from)), false);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path), op.value))
          throw invalidPatch(`testing value ${path} failed: test failed`);
        break;
      default:
        throw errors.badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

/**
 * Strategic merge patch for the built-in kinds: like a merge patch, but lists with a merge key
 * (containers, env, ports, volumes, ...) merge item by item, `finalizers` merges as a set, and the
 * `$patch: delete | replace`, `$retainKeys` and `$deleteFromPrimitiveList/<field>` directives work.
 * `$setElementOrder/<field>` is accepted and ignored.
 */
export function strategicMergePatch(type: ResourceType, target: JsonObject, patch: Json): JsonObject {
  if (!isObject(patch)) throw errors.badRequest('strategic merge patch must be a JSON object');
  const merged = smpMap(type, clone(target), patch, []);
  return merged ?? {};
}

function smpMap(
  type: ResourceType,
  original: JsonObject,
  patch: JsonObject,
  path: string[],
): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const replaced = clone(patch);
    delete replaced.$patch;
    return replaced;
  }
  const out = original;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        out[field] = current.filter((item) => !value.some((v) => deepEqual(v, item)));
      }
      continue;
    }
    const fieldPath = [...path, key];
    if (value === null) delete out[key];
    else if (Array.isArray(value)) out[key] = smpList(type, out[key], value, fieldPath);
    else if (isObject(value)) {
      const merged = smpMap(type, isObject(out[key]) ? out[key] : {}, value, fieldPath);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else out[key] = clone(value);
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  }
  return out;
}

function smpList(type: ResourceType, original: Json | undefined, patch: Json[], path: string[]): Json[] {
  const current = Array.isArray(original) ? original : [];
  const kind = listKindAt(type, path);
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace')).map((i) => clone(i));
  }
  if (kind.type === 'set') {
    const out = current.map((i) => clone(i));
    for (const item of patch) if (!out.some((o) => deepEqual(o, item))) out.push(clone(item));
    return out;
  }
  if (kind.type === 'atomic') return patch.map((i) => clone(i));
  const out = current.map((i) => clone(i));
  for (const item of patch) {
    const key = itemKey(item, kind.keys);
    if (!isObject(item) || key === undefined) {
      throw errors.badRequest(
        `map: ${JSON.stringify(item)} does not contain declared merge key: ${kind.keys.join(',')}`,
      );
    }
    const index = out.findIndex((o) => deepEqual(itemKey(o, kind.keys), key));
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const merged = smpMap(type, out[index] as JsonObject, item, path);
      if (merged === undefined) out.splice(index, 1);
      else out[index] = merged;
    } else {
      const added = clone(item);
      delete added.$patch;
      out.push(added);
    }
  }
  return out;
}
