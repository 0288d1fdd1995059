import {
  decodePath,
  describePath,
  fieldSet,
  isItemPath,
  type Part,
  removeAt,
  setAt,
  valueAt,
} from './field-paths.ts';
import { clone, deepEqual, isObject, type Json, type JsonObject, type KubeObject } from './json.ts';
import { listKindAt } from './list-kinds.ts';
import {
  isUnder,
  type ManagerEntry,
  readManagedFields,
  sameEntry,
  writeManagedFields,
} from './managed-fields.ts';
import type { ResourceType } from './resources.ts';
import { ApiError, type StatusCause } from './status.ts';

export interface ApplyRequest {
  type: ResourceType;
  /** The live object, or undefined when the apply creates it. */
  current: KubeObject | undefined;
  /** The applied configuration: the manager's whole intent for the fields it names. */
  applied: JsonObject;
  manager: string;
  force: boolean;
  part: Part;
  apiVersion: string;
  time: string;
}

/**
 * Server-side apply at the level of leaf field paths:
 *
 * - A leaf the applier names that another manager owns with a different live value is a conflict
 *   (409 with one cause per field) unless `force`, which moves the field to the applier.
 *   Equal values are shared.
 * - Leaves the applier owned before and no longer names are removed from the object when no other
 *   manager owns them; keyed-list items likewise when nobody owns anything inside them.
 * - The applier's Apply entry then owns exactly what it named.
 *
 * Not modelled: defaulted fields reset to their defaults on removal, atomic maps
 * (`x-kubernetes-map-type`), the ordering rules of merged lists, and version conversion of
 * managed fields.
 */
export function serverSideApply(r: ApplyRequest): KubeObject {
  const entries = readManagedFields(r.current);
  const subresource = r.part === 'status' ? 'status' : undefined;
  const others = entries.filter((e) => e.manager !== r.manager);
  const wanted = fieldSet(r.type, r.applied, r.part);
  const live: KubeObject = r.current
    ? clone(r.current)
    : { apiVersion: r.applied.apiVersion ?? null, kind: r.applied.kind ?? null, metadata: {} };

  const conflicts = findConflicts(r.type, others, wanted, live, r.applied);
  if (conflicts.length > 0) {
    if (!r.force) throw conflictError(conflicts);
    for (const { path } of conflicts) for (const e of others) e.fields.delete(path);
  }

  let mine = entries.find((e) => sameEntry(e, r.manager, 'Apply', subresource));
  const ownedBefore = mine?.fields ?? new Set<string>();
  const dropped = [...ownedBefore].filter((p) => !wanted.has(p));
  // Shallower paths first: an item nobody else holds goes whole, before its fields are looked at.
  dropped.sort((a, b) => decodePath(a).length - decodePath(b).length);
  for (const path of dropped) {
    if (isKeyField(path)) continue;
    const ownedElsewhere = entries.some(
      (e) => e !== mine && [...e.fields].some((p) => (isItemPath(path) ? isUnder(p, path) : p === path)),
    );
    if (!ownedElsewhere) removeAt(live, path);
  }

  const ordered = [...wanted].sort((a, b) => decodePath(a).length - decodePath(b).length);
  for (const path of ordered) {
    const value = valueAt(r.applied, path);
    if (value === undefined || mergesIntoLive(r.type, live, path, value)) continue;
    setAt(live, path, value);
  }

  if (!mine) {
    mine = {
      manager: r.manager,
      operation: 'Apply',
      apiVersion: r.apiVersion,
      time: r.time,
      subresource,
      fields: new Set(),
    };
    entries.push(mine);
  }
  mine.fields = wanted;
  mine.apiVersion = r.apiVersion;
  mine.time = r.time;
  writeManagedFields(live, entries);
  return live;
}

interface Conflict {
  manager: string;
  path: string;
}

/** Whether the path is a key field of a keyed-list item (which goes only with the item). */
function isKeyField(path: string): boolean {
  const elements = decodePath(path);
  const parent = elements[elements.length - 2];
  const last = elements[elements.length - 1] ?? '';
  if (!parent?.startsWith('k:') || !last.startsWith('f:')) return false;
  return Object.hasOwn(JSON.parse(parent.slice(2)) as JsonObject, last.slice(2));
}

/**
 * Whether an applied empty map, or an empty keyed or set list, only asserts that the container
 * exists: it merges with what is live instead of replacing it.
 */
function mergesIntoLive(type: ResourceType, live: JsonObject, path: string, value: Json): boolean {
  const current = valueAt(live, path);
  if (isObject(value) && Object.keys(value).length === 0) return isObject(current);
  if (Array.isArray(value) && value.length === 0 && Array.isArray(current)) {
    const fields = decodePath(path)
      .filter((e) => e.startsWith('f:'))
      .map((e) => e.slice(2));
    return listKindAt(type, fields).type !== 'atomic';
  }
  return false;
}

function findConflicts(
  type: ResourceType,
  others: ManagerEntry[],
  wanted: Set<string>,
  live: JsonObject,
  applied: JsonObject,
): Conflict[] {
  const out: Conflict[] = [];
  for (const path of wanted) {
    if (isItemPath(path)) continue;
    const value = valueAt(applied, path);
    if (value !== undefined && mergesIntoLive(type, live, path, value)) continue;
    const same = deepEqual(valueAt(live, path), valueAt(applied, path));
    if (same) continue;
    for (const e of others) if (e.fields.has(path)) out.push({ manager: e.manager, path });
  }
  return out;
}

function conflictError(conflicts: Conflict[]): ApiError {
  const byManager = new Map<string, string[]>();
  for (const c of conflicts)
    byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), describePath(c.path)]);
  const parts = [...byManager.entries()].map(([manager, paths]) =>
    paths.length === 1
      ? `conflict with "${manager}": ${paths[0]}`
      : `conflicts with "${manager}":\n${paths.map((p) => `- ${p}`).join('\n')}`,
  );
  const n = conflicts.length;
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`;
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${c.manager}"`,
    field: describePath(c.path),
  }));
  return new ApiError(409, 'Conflict', message, { causes });
}
