import type { KubeRest } from '../../../core/kube/rest.ts';
import type { ResourceInfo } from '../../../core/kube/types.ts';
import { kubeStatusOf } from '../../../core/kube.ts';
import { equal } from './field-paths.ts';
import {
  isJsonObject,
  type Json,
  type JsonObject,
  type KubeObject,
  LAST_APPLIED,
  refOf,
  writeOptions,
} from './kube-object.ts';

/** How one object is written, from the application's and the object's sync options. */
export interface ApplyMode {
  /** Server-side apply (the default); false: kubectl's client-side three-way merge. */
  serverSide: boolean;
  /** `Replace=true`: create or replace instead of apply. */
  replace: boolean;
  /** `Force=true`: delete and re-create when the server refuses the change (an immutable field). */
  force: boolean;
  /** `Validate=false` turns the server's strict field validation off. */
  validate: boolean;
  dryRun: boolean;
}

export interface Applied {
  object: KubeObject;
  message: string;
}

/** Writes `target` so the live object matches it; `live` is the object as last read (undefined: absent). */
export async function applyObject(
  client: KubeRest,
  res: ResourceInfo,
  target: KubeObject,
  live: KubeObject | undefined,
  mode: ApplyMode,
): Promise<Applied> {
  const options = writeOptions({
    dryRun: mode.dryRun,
    fieldValidation: mode.validate ? 'Strict' : 'Ignore',
  });
  const name = `${target.kind.toLowerCase()}/${target.metadata.name}`;
  const suffix = mode.dryRun ? ' (dry run)' : '';
  try {
    if (mode.replace) {
      if (!live)
        return {
          object: await client.create<KubeObject>(res, target.metadata.namespace, target, options),
          message: `${name} created${suffix}`,
        };
      // Replacing a Namespace or a CRD would delete what is in it: update those in place.
      const update = structuredClone(target);
      update.metadata.resourceVersion = live.metadata.resourceVersion as string;
      if (mode.force && target.kind !== 'Namespace' && target.kind !== 'CustomResourceDefinition') {
        return await recreate(client, res, target, options, name, suffix);
      }
      return {
        object: await client.replace<KubeObject>(refOf(res, update), update, options),
        message: `${name} replaced${suffix}`,
      };
    }
    if (mode.serverSide) {
      return {
        object: await client.apply<KubeObject>(refOf(res, target), target, { ...options, force: true }),
        message: `${name} serverside-applied${suffix}`,
      };
    }
    return await clientSideApply(client, res, target, live, options, name, suffix);
  } catch (err) {
    if (mode.force && kubeStatusOf(err) === 422 && live)
      return recreate(client, res, target, options, name, suffix);
    throw err;
  }
}

async function recreate(
  client: KubeRest,
  res: ResourceInfo,
  target: KubeObject,
  options: ReturnType<typeof writeOptions>,
  name: string,
  suffix: string,
): Promise<Applied> {
  if (!options.dryRun) await client.delete(refOf(res, target), { propagationPolicy: 'Background' });
  for (let attempt = 0; ; attempt++) {
    try {
      const object = await client.create<KubeObject>(res, target.metadata.namespace, target, options);
      return { object, message: `${name} re-created (forced)${suffix}` };
    } catch (err) {
      // The old object may still be finishing its deletion.
      if (kubeStatusOf(err) !== 409 || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** kubectl apply without --server-side: the last applied configuration travels in an annotation. */
async function clientSideApply(
  client: KubeRest,
  res: ResourceInfo,
  target: KubeObject,
  live: KubeObject | undefined,
  options: ReturnType<typeof writeOptions>,
  name: string,
  suffix: string,
): Promise<Applied> {
  const modified = withLastApplied(target);
  if (!live) {
    try {
      return {
        object: await client.create<KubeObject>(res, modified.metadata.namespace, modified, options),
        message: `${name} created${suffix}`,
      };
    } catch (err) {
      if (kubeStatusOf(err) !== 409) throw err;
      // Created meanwhile by someone else: merge into it.
      live = await client.get<KubeObject>(refOf(res, target));
      if (!live) throw err;
    }
  }
  const raw = live.metadata.annotations?.[LAST_APPLIED];
  let original: JsonObject = {};
  try {
    original = raw ? (JSON.parse(raw) as JsonObject) : {};
  } catch {
    // A damaged annotation: merge as if nothing had been applied before.
  }
  const patch = threeWayMergePatch(
    original,
    modified as unknown as JsonObject,
    live as unknown as JsonObject,
  );
  if (Object.keys(patch).length === 0) return { object: live, message: `${name} unchanged${suffix}` };
  const object = await client.patch<KubeObject>(
    refOf(res, target),
    'application/merge-patch+json',
    patch,
    options,
  );
  return { object, message: `${name} configured${suffix}` };
}

/** The target with kubectl's last-applied annotation: the target itself, without that annotation. */
export function withLastApplied(target: KubeObject): KubeObject {
  const bare = structuredClone(target);
  if (bare.metadata.annotations) {
    delete bare.metadata.annotations[LAST_APPLIED];
    if (Object.keys(bare.metadata.annotations).length === 0) delete bare.metadata.annotations;
  }
  const out = structuredClone(bare);
  out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [LAST_APPLIED]: JSON.stringify(bare) };
  return out;
}

/**
 * A JSON merge patch from three states: set what `modified` changes against `current`, and delete
 * (null) what `original` (the last applied) had and `modified` no longer has. Lists are replaced
 * whole, and only when an item differs in a field `modified` sets (server defaults do not count).
 */
export function threeWayMergePatch(
  original: JsonObject | undefined,
  modified: JsonObject,
  current: JsonObject,
): JsonObject {
  const patch: JsonObject = {};
  for (const [k, value] of Object.entries(modified)) {
    const now = current[k];
    if (isJsonObject(value) && isJsonObject(now)) {
      const sub = threeWayMergePatch(
        isJsonObject(original?.[k]) ? (original[k] as JsonObject) : undefined,
        value,
        now,
      );
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!covers(value, now)) {
      patch[k] = value;
    }
  }
  for (const k of Object.keys(original ?? {})) {
    if (!(k in modified) && k in current) patch[k] = null;
  }
  return patch;
}

/** Whether `current` already has every value `wanted` sets. */
function covers(wanted: Json, current: Json | undefined): boolean {
  if (isJsonObject(wanted))
    return isJsonObject(current) && Object.entries(wanted).every(([k, v]) => covers(v, current[k]));
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(current) &&
      current.length === wanted.length &&
      wanted.every((w, i) => covers(w, current[i]!))
    );
  }
  return equal(wanted, current);
}
