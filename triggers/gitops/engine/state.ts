import { ImpulseError } from '../../../core/errors.ts';
import type { KubeRest } from '../../../core/kube/rest.ts';
import type { ResourceInfo } from '../../../core/kube/types.ts';
import type { Logger } from '../../../core/logger.ts';
import { diffResource, ignoredPaths, ignoreRulesFor } from './diff.ts';
import { aggregateHealth, resourceHealth } from './health.ts';
import { type HookInfo, hookInfo, isHook, waveOf } from './hooks.ts';
import {
  APP_LABEL,
  identity,
  type KubeObject,
  keyOf,
  ownedBy,
  splitApiVersion,
  TRACKING_ANNOTATION,
  trackingId,
} from './kube-object.ts';
import type { Manifest } from './manifests.ts';
import type { Application, RefreshResult, ResourceKey, ResourceStatus } from './types.ts';

/** One object of the target state, ready to apply: namespace filled in, owner label and tracking id set. */
export interface TargetResource {
  object: KubeObject;
  source: string;
  /** Undefined while the server does not serve the kind (its CRD comes in the same sync). */
  res: ResourceInfo | undefined;
  namespaced: boolean;
  hook: Exclude<HookInfo, { kind: 'invalid' | 'skip' }>;
}

/** Target and live side by side: what a refresh reports and a sync starts from. */
export interface AppState {
  revision: string;
  resources: TargetResource[];
  hooks: TargetResource[];
  /** Live objects by identity(): those of the targets and hooks, and the extraneous ones. */
  live: Map<string, KubeObject>;
  /** Live objects the application owns (see ownedBy) that Git no longer has (never hooks). */
  extraneous: KubeObject[];
  refresh: RefreshResult;
}

/**
 * Builds the target state from manifests and reads the live state: one list per kind and namespace
 * (the kinds of the target, and those the previous operation touched, so that objects of a kind no
 * longer in Git are still found as extraneous).
 */
export async function loadState(options: {
  app: Application;
  revision: string;
  manifests: Manifest[];
  client: KubeRest;
  logger: Logger;
  previous?: ResourceKey[];
}): Promise<AppState> {
  const { app, client } = options;
  const resources: TargetResource[] = [];
  const hooks: TargetResource[] = [];
  const byIdentity = new Map<string, string>();
  const crdScopes = crdScopesOf(options.manifests);
  for (const { object: raw, source } of options.manifests) {
    const hook = hookInfo(raw);
    if (hook.kind === 'invalid') {
      options.logger.warn({ source }, `${source}: left out of the sync: ${hook.reason}`);
      continue;
    }
    if (hook.kind === 'skip') continue;
    const res = await client.find(raw.apiVersion, raw.kind);
    const { group } = splitApiVersion(raw.apiVersion);
    const namespaced = res ? res.namespaced : (crdScopes.get(`${group}/${raw.kind}`) ?? true);
    const object = structuredClone(raw);
    if (namespaced) object.metadata.namespace ||= app.destination.namespace;
    else delete object.metadata.namespace;
    object.metadata.labels = { ...(object.metadata.labels ?? {}), [APP_LABEL]: app.name };
    object.metadata.annotations = {
      ...(object.metadata.annotations ?? {}),
      [TRACKING_ANNOTATION]: trackingId(app),
    };
    const target: TargetResource = { object, source, res, namespaced, hook };
    if (hook.kind === 'hook') {
      hooks.push(target);
      continue;
    }
    const id = identity(keyOf(object));
    const seen = byIdentity.get(id);
    if (seen) {
      throw new ImpulseError(
        'INVALID_MANIFEST',
        `${source}: ${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name} is also defined in ${seen}; an object may appear once`,
      );
    }
    byIdentity.set(id, source);
    resources.push(target);
  }

  const live = await readLive(client, app, [...resources, ...hooks], options.previous ?? []);
  return compare(app, options.revision, resources, hooks, live);
}

/**
 * The state after a sync, from what the sync itself last saw of each object (apply answers, health
 * polls, deletions), without reading everything again.
 */
export function stateAfter(
  app: Application,
  before: AppState,
  seen: { key: ResourceKey; live: KubeObject | undefined }[],
): AppState {
  const live = new Map(before.live);
  for (const { key, live: object } of seen) {
    if (object) live.set(identity(key), object);
    else live.delete(identity(key));
  }
  return compare(app, before.revision, before.resources, before.hooks, live);
}

function compare(
  app: Application,
  revision: string,
  resources: TargetResource[],
  hooks: TargetResource[],
  live: Map<string, KubeObject>,
): AppState {
  const statuses: ResourceStatus[] = [];
  for (const target of resources) {
    const key = keyOf(target.object);
    const current = live.get(identity(key));
    const status: ResourceStatus = { ...key, syncStatus: 'Synced', wave: waveOf(target.object) };
    if (!current) {
      status.syncStatus = 'OutOfSync';
      status.reason = 'missing';
      status.healthStatus = 'Missing';
    } else {
      const diff = diffResource(
        target.object,
        current,
        ignoredPaths(ignoreRulesFor(app.ignoreDifferences, target.object), current),
      );
      if (diff.length > 0) Object.assign(status, { syncStatus: 'OutOfSync', reason: 'changed', diff });
      const health = resourceHealth(current);
      if (health) {
        status.healthStatus = health.status;
        if (health.message) status.healthMessage = health.message;
      }
    }
    statuses.push(status);
  }
  const targetIds = new Set(resources.map((r) => identity(keyOf(r.object))));
  const extraneous = [...live.values()].filter(
    (o) => ownedBy(o, app) && !targetIds.has(identity(keyOf(o))) && !isHook(o) && hookInfo(o).kind !== 'skip',
  );
  for (const object of extraneous) {
    const health = resourceHealth(object);
    statuses.push({
      ...keyOf(object),
      syncStatus: 'OutOfSync',
      reason: 'extraneous',
      wave: waveOf(object),
      ...(health
        ? { healthStatus: health.status, ...(health.message ? { healthMessage: health.message } : {}) }
        : {}),
    });
  }
  const refresh: RefreshResult = {
    app: app.name,
    revision,
    syncStatus: statuses.some((s) => s.syncStatus === 'OutOfSync') ? 'OutOfSync' : 'Synced',
    healthStatus: aggregateHealth(statuses),
    resources: statuses,
  };
  return { revision, resources, hooks, live, extraneous, refresh };
}

/** `group/Kind` -> whether the CRD in the manifests declares it namespaced. */
function crdScopesOf(manifests: Manifest[]): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const { object } of manifests) {
    if (object.kind !== 'CustomResourceDefinition') continue;
    const spec = object.spec as { group?: string; scope?: string; names?: { kind?: string } } | undefined;
    if (spec?.group && spec.names?.kind)
      scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope !== 'Cluster');
  }
  return scopes;
}

async function readLive(
  client: KubeRest,
  app: Application,
  targets: TargetResource[],
  previous: ResourceKey[],
): Promise<Map<string, KubeObject>> {
  // kind -> namespaces to list (undefined entry: cluster-scoped, list once).
  const wanted = new Map<string, { apiVersion: string; kind: string; namespaces: Set<string> }>();
  const want = (apiVersion: string, kind: string, namespace: string | undefined) => {
    const { group } = splitApiVersion(apiVersion);
    const k = `${group}/${kind}`;
    const entry = wanted.get(k) ?? {
      apiVersion,
      kind,
      namespaces: new Set<string>([app.destination.namespace]),
    };
    if (namespace) entry.namespaces.add(namespace);
    wanted.set(k, entry);
  };
  for (const t of targets) if (t.res) want(t.object.apiVersion, t.object.kind, t.object.metadata.namespace);
  for (const p of previous) want(p.group ? `${p.group}/${p.version}` : p.version, p.kind, p.namespace);
  const live = new Map<string, KubeObject>();
  await Promise.all(
    [...wanted.values()].map(async ({ apiVersion, kind, namespaces }) => {
      const res = await client.find(apiVersion, kind);
      if (!res) return; // a kind the server no longer serves has no live objects
      const lists = res.namespaced
        ? [...namespaces].map((ns) => client.list<KubeObject>(res, ns))
        : [client.list<KubeObject>(res, undefined)];
      for (const list of await Promise.all(lists)) {
        for (const item of list.items) live.set(identity(keyOf(item)), item);
      }
    }),
  );
  return live;
}
