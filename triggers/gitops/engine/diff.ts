import {
  equal,
  type FieldPath,
  fieldsV1Paths,
  formatPath,
  getAt,
  parsePointer,
  removePaths,
  resolve,
  setAt,
} from './field-paths.ts';
import {
  FIELD_MANAGER,
  isJsonObject,
  type Json,
  type KubeObject,
  LAST_APPLIED,
  splitApiVersion,
} from './kube-object.ts';
import type { IgnoreDifference } from './types.ts';

/** Metadata the API server fills in; never part of a comparison. */
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

/** The rules of `ignoreDifferences` that apply to one object. */
export function ignoreRulesFor(
  rules: readonly IgnoreDifference[] | undefined,
  object: KubeObject,
): IgnoreDifference[] {
  const { group } = splitApiVersion(object.apiVersion);
  return (rules ?? []).filter(
    (r) =>
      (r.group ?? '') === group &&
      r.kind === object.kind &&
      (r.name === undefined || r.name === object.metadata.name) &&
      (r.namespace === undefined || r.namespace === (object.metadata.namespace ?? '')),
  );
}

/** The fields the rules leave out, as paths: JSON pointers, and what the named managers own live. */
export function ignoredPaths(rules: IgnoreDifference[], live: KubeObject | undefined): FieldPath[] {
  const paths: FieldPath[] = [];
  for (const rule of rules) {
    for (const pointer of rule.jsonPointers ?? []) paths.push(parsePointer(pointer));
    const managers = new Set(rule.managedFieldsManagers ?? []);
    if (managers.size === 0 || !live) continue;
    const entries = Array.isArray(live.metadata.managedFields) ? live.metadata.managedFields : [];
    for (const entry of entries) {
      if (isJsonObject(entry) && typeof entry.manager === 'string' && managers.has(entry.manager)) {
        paths.push(...fieldsV1Paths(entry.fieldsV1));
      }
    }
  }
  return paths;
}

/** A copy of an object as the comparison sees it: no status, no server metadata, Secret stringData as data. */
export function normalize(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  delete copy.status;
  for (const field of SERVER_METADATA) delete copy.metadata[field];
  if (copy.kind === 'Secret' && copy.apiVersion === 'v1' && isJsonObject(copy.stringData)) {
    const data = isJsonObject(copy.data) ? copy.data : {};
    for (const [k, v] of Object.entries(copy.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    copy.data = data;
    delete copy.stringData;
  }
  return copy;
}

/**
 * The fields where live differs from target, as paths (empty: Synced). A resource is Synced when
 * every field the manifest sets has the same value live; fields the server defaulted that the
 * manifest does not set do not count. A field Impulse applied before (owned by its field manager, or
 * in the last-applied annotation) that the manifest no longer sets counts: the sync will remove it.
 */
export function diffResource(target: KubeObject, live: KubeObject, ignore: FieldPath[] = []): string[] {
  const t = normalize(target) as unknown as Json;
  const l = normalize(live) as unknown as Json;
  removePaths(t, ignore);
  removePaths(l, ignore);
  const out: string[] = [];
  subset(t, l, [], out);
  for (const path of previouslyApplied(live)) {
    if (ignore.some((p) => samePath(p, path))) continue;
    const inLive = resolve(l, path);
    if (inLive && !resolve(t, path)) out.push(`${formatPath(inLive)} (no longer in Git)`);
  }
  return out;
}

function samePath(a: FieldPath, b: FieldPath): boolean {
  return a.length === b.length && a.every((s, i) => JSON.stringify(s) === JSON.stringify(b[i]));
}

function subset(
  target: Json | undefined,
  live: Json | undefined,
  path: (string | number)[],
  out: string[],
): void {
  if (isJsonObject(target)) {
    if (!isJsonObject(live)) {
      out.push(formatPath(path));
      return;
    }
    for (const [k, v] of Object.entries(target)) {
      // null in a manifest means "not set".
      if (v === null) {
        if (live[k] !== undefined && live[k] !== null) out.push(formatPath([...path, k]));
        continue;
      }
      subset(v, live[k], [...path, k], out);
    }
    return;
  }
  if (Array.isArray(target)) {
    if (!Array.isArray(live) || live.length !== target.length) {
      out.push(formatPath(path));
      return;
    }
    for (const [i, item] of target.entries()) subset(item, live[i], [...path, i], out);
    return;
  }
  if (!equal(target, live)) out.push(formatPath(path));
}

/** Leaf fields Impulse set last time: its managed-fields entry, or kubectl's last-applied annotation. */
function previouslyApplied(live: KubeObject): FieldPath[] {
  const entries = Array.isArray(live.metadata.managedFields) ? live.metadata.managedFields : [];
  const mine = entries.find((e) => isJsonObject(e) && e.manager === FIELD_MANAGER && e.operation === 'Apply');
  if (isJsonObject(mine)) return fieldsV1Paths(mine.fieldsV1).filter((p) => !isStatus(p));
  const lastApplied = live.metadata.annotations?.[LAST_APPLIED];
  if (!lastApplied) return [];
  try {
    return leafPaths(normalize(JSON.parse(lastApplied) as KubeObject) as unknown as Json, []);
  } catch {
    return [];
  }
}

function isStatus(path: FieldPath): boolean {
  const first = path[0];
  return first !== undefined && 'field' in first && first.field === 'status';
}

function leafPaths(node: Json, prefix: FieldPath): FieldPath[] {
  // Lists compare whole (their items are matched by position in subset()), so stop at them.
  if (!isJsonObject(node) || Object.keys(node).length === 0) return prefix.length > 0 ? [prefix] : [];
  return Object.entries(node).flatMap(([k, v]) => leafPaths(v, [...prefix, { field: k }]));
}

/**
 * With `RespectIgnoreDifferences=true`, the object to apply keeps the live value of every ignored
 * field (or leaves the field out when it is not live), so a sync does not fight an autoscaler.
 */
export function respectIgnored(
  target: KubeObject,
  live: KubeObject | undefined,
  ignore: FieldPath[],
): KubeObject {
  if (!live || ignore.length === 0) return target;
  const out = structuredClone(target) as unknown as Json;
  const liveJson = live as unknown as Json;
  for (const path of ignore) {
    const inLive = resolve(liveJson, path);
    const inTarget = resolve(out, path);
    if (!inTarget) continue;
    const value = inLive ? getAt(liveJson, inLive) : undefined;
    if (value === undefined) removePaths(out, [path]);
    else setAt(out, inTarget, structuredClone(value));
  }
  return out as unknown as KubeObject;
}
