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
