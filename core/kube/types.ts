/** A Kubernetes object as JSON: what manifests hold and what the API answers. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

export interface KubeMetadata {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  [field: string]: unknown;
}

/** What discovery says about a kind: its URL segment and whether it lives in a namespace. */
export interface ResourceInfo {
  /** `apps/v1`, `v1`. */
  apiVersion: string;
  /** `apps`; empty for the core group. */
  group: string;
  version: string;
  kind: string;
  /** The URL segment: `deployments`. */
  plural: string;
  namespaced: boolean;
}

/** Names one object: its resource and, for namespaced kinds, its namespace. */
export interface ObjectRef {
  resource: ResourceInfo;
  namespace: string | undefined;
  name: string;
}

/** One entry of a Status answer's `details.causes` (kept in an error's `details.causes`). */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** One line of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/** What every request takes. */
export interface CallOptions {
  /** Aborting ends the request with a `CLOSED` error. */
  signal?: AbortSignal;
}

/** Query options of writes, as the API server takes them. */
export interface WriteOptions extends CallOptions {
  /** Sends `dryRun=All`: the server validates and answers, and stores nothing. */
  dryRun?: boolean;
  fieldManager?: string;
  /** Unset leaves the server's default (`Warn`); the sync engine sends `Strict` as kubectl does. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export type PatchType =
  | 'application/merge-patch+json'
  | 'application/json-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';

export interface PatchOptions extends WriteOptions {
  /** Server-side apply only: take over fields other managers own. */
  force?: boolean;
}

export interface DeleteOptions extends CallOptions {
  dryRun?: boolean;
  /** Sent as a DeleteOptions body; unset leaves the kind's default. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
}

export interface ListOptions extends CallOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** `0` (any cached state) or a version the answer must be at least as new as. */
  resourceVersion?: string;
  /** Items per page; every page is read. @default 500 */
  pageSize?: number;
}

export interface WatchOptions extends CallOptions {
  /** Where the watch starts; empty or unset is "now", after synthetic ADDs of what exists. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  labelSelector?: string;
  fieldSelector?: string;
  /** The server ends the stream after this long. */
  timeoutSeconds?: number;
}

/** A listing: every item, with apiVersion and kind set, and the version to watch from. */
export interface KubeList<T = KubeObject> {
  items: T[];
  resourceVersion: string;
}

/** The verbs requests are named by in errors. */
export type KubeVerb = 'get' | 'list' | 'create' | 'replace' | 'patch' | 'delete' | 'watch';

/** What a request acts on, for its error messages; `name` is absent for collections. */
export interface RequestTarget {
  resource: ResourceInfo;
  namespace: string | undefined;
  name?: string;
  /** The patch type, for `patch`. */
  patchType?: PatchType;
}

/**
 * Names a request in error messages (`get apps/v1 Deployment demo/web: 404 NotFound: ...`). Each
 * caller keeps the wording its users know by passing its own.
 */
export type RequestNamer = (verb: KubeVerb, target: RequestTarget) => string;

/** `apps/v1 Deployment demo/web`, as error messages name an object. */
export function describe(ref: ObjectRef): string {
  const where = ref.resource.namespaced ? `${ref.namespace ?? 'default'}/${ref.name}` : ref.name;
  return `${ref.resource.apiVersion} ${ref.resource.kind} ${where}`;
}

/** The default names: `get apps/v1 Deployment demo/web`, `update ...`, `patch (<type>) ...`. */
export const defaultNamer: RequestNamer = (verb, t) => {
  const { apiVersion, kind } = t.resource;
  if (verb === 'list' || verb === 'watch')
    return `${verb} ${apiVersion} ${kind} in ${t.namespace ?? 'all namespaces'}`;
  if (verb === 'create')
    return `create ${apiVersion} ${kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
  const ref = { resource: t.resource, namespace: t.namespace, name: t.name ?? '' };
  if (verb === 'replace') return `update ${describe(ref)}`;
  if (verb === 'patch') return `patch (${t.patchType}) ${describe(ref)}`;
  return `${verb} ${describe(ref)}`;
};
