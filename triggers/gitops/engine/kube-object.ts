import { ImpulseError } from '../../../core/errors.ts';
import type { KubeRest } from '../../../core/kube/rest.ts';
import type { ObjectRef, RequestNamer, ResourceInfo, WriteOptions } from '../../../core/kube/types.ts';
import type { ResourceKey } from './types.ts';

/** Plain JSON, as the API server sends and takes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Any Kubernetes object, untyped: the engine handles every kind, custom ones included. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: Json | undefined;
}

/** The label that marks what an application owns; never a label other tools set. */
export const APP_LABEL = 'impulse.dev/app';
/**
 * The annotation that says which application (`<destination namespace>/<name>`) applied an object,
 * as Argo CD's tracking id does: two applications with the same name in different destinations
 * share the label, so ownership (what is extraneous, what is pruned) is decided by this annotation.
 */
export const TRACKING_ANNOTATION = 'impulse.dev/tracking-id';

/** The tracking id of an application: `<destination namespace>/<name>`. */
export function trackingId(app: { name: string; destination: { namespace: string } }): string {
  return `${app.destination.namespace}/${app.name}`;
}

/**
 * Whether a live object is the application's: its tracking id matches; or, for objects written
 * before the annotation existed (label only), it is namespaced in the destination namespace. A
 * label alone never claims a cluster-scoped object or one in another namespace: an application of
 * the same name elsewhere may own it.
 */
export function ownedBy(
  object: KubeObject,
  app: { name: string; destination: { namespace: string } },
): boolean {
  const tracked = object.metadata.annotations?.[TRACKING_ANNOTATION];
  if (tracked !== undefined) return tracked === trackingId(app);
  return (
    object.metadata.labels?.[APP_LABEL] === app.name &&
    object.metadata.namespace === app.destination.namespace
  );
}
/** The field manager of every server-side apply. */
export const FIELD_MANAGER = 'impulse';
/** Where `ServerSideApply=false` keeps the last applied configuration, as kubectl does. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `apps/v1` -> {group: 'apps', version: 'v1'}; `v1` -> {group: '', version: 'v1'}. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(key: { group: string; version: string }): string {
  return key.group ? `${key.group}/${key.version}` : key.version;
}

export function keyOf(object: KubeObject): ResourceKey {
  const { group, version } = splitApiVersion(object.apiVersion);
  const key: ResourceKey = { group, version, kind: object.kind, name: object.metadata.name ?? '' };
  if (object.metadata.namespace) key.namespace = object.metadata.namespace;
  return key;
}

/**
 * Identity of an object regardless of its API version (`apps/Deployment/ns/name`), as Argo CD keys
 * resources: the same Deployment under two versions is one resource.
 */
export function identity(key: { group: string; kind: string; namespace?: string; name: string }): string {
  return `${key.group}/${key.kind}/${key.namespace ?? ''}/${key.name}`;
}

/** `Deployment demo/web`, `Namespace demo`: how messages name a resource. */
export function describeKey(key: { kind: string; namespace?: string; name: string }): string {
  return `${key.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name}`;
}

export function annotation(object: KubeObject | undefined, name: string): string | undefined {
  return object?.metadata.annotations?.[name];
}

/** Comma-separated annotation values, trimmed, empty entries dropped. */
export function annotationList(object: KubeObject | undefined, name: string): string[] {
  const raw = annotation(object, name);
  return raw === undefined
    ? []
    : raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** How the engine names requests in errors (`apply ConfigMap web`), as sync results show them. */
export const engineNamer: RequestNamer = (verb, t) => {
  const { kind, namespaced } = t.resource;
  if (verb === 'list' || verb === 'watch')
    return `${verb} ${kind}${t.namespace && namespaced ? ` in ${t.namespace}` : ''}`;
  if (verb === 'delete') return `delete ${kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
  const named = verb === 'patch' && t.patchType === 'application/apply-patch+yaml' ? 'apply' : verb;
  return `${named} ${kind} ${t.name}`;
};

/** Discovery for a kind; one the server does not serve is a PERMANENT error naming it. */
export async function servedResource(
  kube: KubeRest,
  apiVersion: string,
  kind: string,
): Promise<ResourceInfo> {
  const found = await kube.find(apiVersion, kind);
  if (found) return found;
  throw new ImpulseError(
    'PERMANENT',
    `the server does not serve ${kind} in ${apiVersion}; check apiVersion and kind, or install its CRD first`,
  );
}

/** Where an object is, for the client's calls. */
export function refOf(resource: ResourceInfo, object: KubeObject): ObjectRef {
  return { resource, namespace: object.metadata.namespace, name: object.metadata.name ?? '' };
}

/** Every engine write: as the engine's field manager, validated strictly as kubectl does by default. */
export function writeOptions(options: { dryRun?: boolean; fieldValidation?: 'Strict' | 'Ignore' } = {}) {
  return {
    fieldManager: FIELD_MANAGER,
    fieldValidation: options.fieldValidation ?? 'Strict',
    ...(options.dryRun ? { dryRun: true } : {}),
  } satisfies WriteOptions;
}
