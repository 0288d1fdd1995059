import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError, isImpulseError } from '../../core/errors.ts';
import { KubeRest } from '../../core/kube/rest.ts';
import type { ResourceInfo } from '../../core/kube/types.ts';
import { loadKubeConfig } from '../../core/kube.ts';
import { runUnderLease, sourceLeaseKey } from '../active-passive.ts';
import { createHold } from '../queue/hold.ts';
import type { EventSourceDriver, SourceContext, SourceInit } from '../types.ts';
import {
  type ResolvedResource,
  type ResourceConfig,
  type ResourceEventType,
  resolveResource,
} from './config.ts';
import { type KubeObject, passesFilter } from './filter.ts';
import { type ResourceChange, runWatcher } from './watcher.ts';

export { labelRequirement, type ResolvedResource, resolveResource } from './config.ts';
export { type KubeObject, passesFilter } from './filter.ts';

/** Argo Events' resource payload. */
export interface ResourcePayload {
  type: ResourceEventType;
  /** The object after the change (for DELETE, its last state). */
  body: KubeObject;
  /** For UPDATE, the object before the change; otherwise null. */
  oldBody: KubeObject | null;
  group: string;
  version: string;
  resource: string;
  metadata?: Record<string, string>;
}

export interface ResourceSourceOptions {
  /** Where the Kubernetes API is. @default `loadKubeConfig()`: in a pod, `KUBECONFIG`, ~/.kube/config */
  kubeConfig?: () => Promise<KubeConfig>;
  /** Pauses between retries after a failed list or watch. @default 0.5 s doubling to 16 s */
  retryDelaysMs?: readonly number[];
}

/**
 * The `resource` source: watches objects of `group`/`version`/`resource` in `namespace` (all
 * namespaces when empty), with `filter.labels` as the API's label selector, and publishes the
 * `eventTypes` (ADD, UPDATE, DELETE) that pass the rest of `filter`, as
 * `{type, body, oldBody, group, version, resource}`. Runs on one replica at a time (the lease).
 *
 * As an informer: the objects that exist when it starts are ADDs (`afterStart` drops them); a
 * replica starts when it first holds the lease, not when its process started, so a standby that
 * takes over days later does not republish what was created meanwhile as new. A dropped watch resumes from the last version seen (bookmarks keep it current); a 410 leads to a
 * new listing, compared with what was known. The event id is `<uid>:<resourceVersion>:<type>`, so a
 * change seen twice (a replay, a restart, a new lease holder) is stored once on the bus. An event
 * the bus cannot take is held until it can, and the watch waits meanwhile.
 */
export function createResourceSource(
  init: SourceInit<ResourceConfig>,
  options: ResourceSourceOptions = {},
): EventSourceDriver {
  const resolved = resolveResource(init.config, init.path);
  const load = options.kubeConfig ?? (() => loadKubeConfig());
  return {
    start: (ctx) => {
      // `afterStart`'s instant: the first time this replica held the lease. Kept when the lease is
      // won back, so objects created while it stood by in between are not dropped as old.
      let startedAt: number | undefined;
      return runUnderLease({
        ctx,
        leases: init.services.leases,
        key: sourceLeaseKey(init.namespace, init.eventSourceName, init.eventName),
        work: (signal) => {
          startedAt ??= Date.now();
          return watch(ctx, signal, init.path, resolved, startedAt, load, options.retryDelaysMs);
        },
      });
    },
  };
}

async function watch(
  ctx: SourceContext,
  signal: AbortSignal,
  path: string,
  r: ResolvedResource,
  startedAt: number,
  load: () => Promise<KubeConfig>,
  retryDelaysMs: readonly number[] | undefined,
): Promise<void> {
  const startup = (err: unknown, server?: string) => {
    const message = err instanceof Error ? err.message : String(err);
    const where = server ? ` at ${server}` : '';
    return new ImpulseError(
      isImpulseError(err) ? err.code : 'INVALID_INPUT',
      `${path}: Kubernetes API${where}: ${message}`,
      {
        cause: err,
      },
    );
  };
  const describe = `${r.group ? `${r.group}/` : ''}${r.version} ${r.resource}${r.namespace ? ` in ${r.namespace}` : ''}`;
  let kube: KubeRest;
  try {
    kube = new KubeRest(await load(), { namer: (verb) => `${verb} ${describe}` });
  } catch (err) {
    throw startup(err);
  }
  try {
    if (signal.aborted) return;
    const resource = await locate(kube, r, signal);
    await runWatcher({
      kube,
      resource,
      namespace: r.namespace || undefined,
      labelSelector: r.labelSelector,
      describe,
      signal,
      logger: ctx.logger,
      onChange: dispatcher(ctx, signal, r, startedAt),
      onReady: () => {
        ctx.logger.info({ resource: describe, selector: r.labelSelector || undefined }, 'watching');
        ctx.ready();
      },
      ...(retryDelaysMs ? { retryDelaysMs } : {}),
    });
  } catch (err) {
    if (signal.aborted) return;
    throw startup(err, kube.server);
  } finally {
    await kube.close();
  }
}

/** Publishes the changes that pass the filter, as Argo Events' payload. */
function dispatcher(ctx: SourceContext, signal: AbortSignal, r: ResolvedResource, startedAt: number) {
  const hold = createHold(ctx, signal);
  return async (change: ResourceChange) => {
    if (!r.eventTypes.has(change.type)) return;
    if (!passesFilter(r, change.type, change.object, { live: change.live, startedAt })) return;
    const payload: ResourcePayload = {
      type: change.type,
      body: change.object,
      oldBody: change.old ?? null,
      group: r.group,
      version: r.version,
      resource: r.resource,
    };
    if (r.metadata) payload.metadata = r.metadata;
    try {
      await hold.dispatch(payload, { id: change.id });
    } catch (err) {
      if (isImpulseError(err, 'CLOSED')) return;
      ctx.rejected();
      ctx.logger.error({ id: change.id, err: (err as Error).message }, 'resource event refused by the bus');
    }
  };
}

/**
 * Finds the resource in the API's discovery document: whether it is namespaced, so the collection
 * path is right (a cluster-scoped resource ignores `namespace`). A group, version or resource the
 * server does not serve is a `PERMANENT` error that says so.
 */
async function locate(kube: KubeRest, r: ResolvedResource, signal: AbortSignal): Promise<ResourceInfo> {
  const groupVersion = r.group ? `${r.group}/${r.version}` : r.version;
  const served = await kube.resources(groupVersion, { signal });
  if (!served) {
    throw new ImpulseError(
      'PERMANENT',
      `the API server does not serve ${groupVersion}; check group and version (is its CRD installed?)`,
    );
  }
  const found = served.find((x) => x.plural === r.resource);
  if (!found) {
    throw new ImpulseError(
      'PERMANENT',
      `${groupVersion} has no resource "${r.resource}" (it serves: ${served.map((x) => x.plural).join(', ') || 'none'}); resource is the plural name, e.g. deployments`,
    );
  }
  return found;
}
