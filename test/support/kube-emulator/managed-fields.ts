import {
  decodePath,
  fieldSet,
  fromFieldsV1,
  isItemPath,
  type Part,
  toFieldsV1,
  valueAt,
} from './field-paths.ts';
import { deepEqual, isObject, type JsonObject, type KubeObject, str } from './json.ts';
import type { ResourceType } from './resources.ts';

/** One `metadata.managedFields` entry, with its fields decoded into a set of paths. */
export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource: string | undefined;
  fields: Set<string>;
}

export function readManagedFields(object: KubeObject | undefined): ManagerEntry[] {
  const raw = object?.metadata.managedFields;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((e) => ({
    manager: str(e, 'manager') ?? '',
    operation: e.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: str(e, 'apiVersion') ?? '',
    time: str(e, 'time') ?? '',
    subresource: str(e, 'subresource'),
    fields: fromFieldsV1(e.fieldsV1),
  }));
}

/** Writes the entries back into the object's metadata, dropping managers that own nothing. */
export function writeManagedFields(object: KubeObject, entries: ManagerEntry[]): void {
  const kept = entries.filter((e) => e.fields.size > 0);
  if (kept.length === 0) {
    delete object.metadata.managedFields;
    return;
  }
  object.metadata.managedFields = kept.map((e) => {
    const out: JsonObject = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(e.fields),
    };
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

export function sameEntry(
  e: ManagerEntry,
  manager: string,
  operation: string,
  subresource: string | undefined,
): boolean {
  return e.manager === manager && e.operation === operation && e.subresource === subresource;
}

/** Whether `path` is `prefix` or lies under it. */
export function isUnder(path: string, prefix: string): boolean {
  const p = decodePath(path);
  const q = decodePath(prefix);
  return q.length <= p.length && q.every((element, i) => p[i] === element);
}

export interface UpdateRecord {
  type: ResourceType;
  previous: KubeObject | undefined;
  next: KubeObject;
  manager: string;
  apiVersion: string;
  part: Part;
  time: string;
}

/**
 * Records a create, update or non-apply patch: the writer takes every field whose value it changed
 * (away from other managers), and fields that disappeared are owned by nobody any more.
 */
export function recordUpdate(r: UpdateRecord): void {
  const entries = readManagedFields(r.previous);
  const before = r.previous ? fieldSet(r.type, r.previous, r.part) : new Set<string>();
  const after = fieldSet(r.type, r.next, r.part);
  const changed = [...after].filter(
    (p) => !before.has(p) || (!isItemPath(p) && !deepEqual(valueAt(r.previous ?? {}, p), valueAt(r.next, p))),
  );
  const removed = [...before].filter((p) => !after.has(p));
  if (changed.length === 0 && removed.length === 0) {
    writeManagedFields(r.next, entries);
    return;
  }
  const subresource = r.part === 'status' ? 'status' : undefined;
  let mine = entries.find((e) => sameEntry(e, r.manager, 'Update', subresource));
  for (const e of entries) {
    if (e === mine) continue;
    for (const p of [...changed, ...removed]) e.fields.delete(p);
  }
  if (!mine) {
    mine = {
      manager: r.manager,
      operation: 'Update',
      apiVersion: r.apiVersion,
      time: r.time,
      subresource,
      fields: new Set(),
    };
    entries.push(mine);
  }
  for (const p of removed) mine.fields.delete(p);
  for (const p of changed) mine.fields.add(p);
  mine.time = r.time;
  mine.apiVersion = r.apiVersion;
  writeManagedFields(r.next, entries);
}

/** The manager name the API server derives from a User-Agent when a write names none. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0]?.trim();
  return prefix || 'unknown';
}
