import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImpulseError, isImpulseError } from '../../../core/errors.ts';
import { KubeRest } from '../../../core/kube/rest.ts';
import { type Checkout, GitCache } from './git.ts';
import { engineNamer, identity, keyOf, servedResource, writeOptions } from './kube-object.ts';
import { acquireAppLease, leaseName } from './lease.ts';
import { loadManifests, type Manifest } from './manifests.ts';
import { readResult, writeResult } from './result-store.ts';
import { retryableError } from './retryable.ts';
import { runTasks } from './runner.ts';
import { type AppState, loadState, stateAfter } from './state.ts';
import { checkSyncOptions, syncOptionOn } from './sync-options.ts';
import { buildTasks, taskKey } from './tasks.ts';
import type {
  Application,
  OperationResult,
  RefreshResult,
  ResourceResult,
  SyncEngine,
  SyncEngineOptions,
  SyncProgress,
} from './types.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The application with defaults filled in, checked once so the rest of the engine can trust it. */
export function resolveApplication(app: Application): Application {
  if (!DNS_LABEL.test(app.name ?? '')) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `application name "${app.name}": must be a DNS label (lower-case letters, digits and '-', at most 63)`,
    );
  }
  if (!app.repoURL) throw new ImpulseError('INVALID_INPUT', `application ${app.name}: repoURL is required`);
  if (!DNS_LABEL.test(app.destination?.namespace ?? '')) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `application ${app.name}: destination.namespace "${app.destination?.namespace ?? ''}" must be a DNS label`,
    );
  }
  checkSyncOptions(app.syncOptions, `application ${app.name}: syncOptions`);
  return { ...app, revision: app.revision || 'HEAD', path: app.path || '.' };
}

/**
 * The GitOps sync engine: refresh (target from Git against live) and sync (make live match target,
 * with Argo CD's phases, hooks and waves), one sync per application at a time, results kept in the
 * cluster. Used by `impulse sync` and by the gitops trigger.
 */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const concurrency = options.concurrency ?? 16;
  const client = new KubeRest(options.kubeConfig, { maxSockets: concurrency * 2, namer: engineNamer });
  const git = new GitCache(options.cacheDir ?? join(tmpdir(), 'impulse-git-cache'));
  const logger = options.logger;
  let closed = false;
  let closing: Promise<void> | undefined;

  const ensureOpen = () => {
    if (closed) throw new ImpulseError('CLOSED', 'the sync engine is closed');
  };

  async function target(
    app: Application,
    signal?: AbortSignal,
  ): Promise<{ checkout: Checkout; manifests: Manifest[] }> {
    const checkout = await git.checkout(app, signal);
    return { checkout, manifests: await loadManifests(checkout.dir, app, signal) };
  }

  async function state(app: Application, revision: string, manifests: Manifest[]): Promise<AppState> {
    const previous = await readResult(client, app.destination.namespace, app.name).catch(() => undefined);
    return loadState({ app, revision, manifests, client, logger, previous: previous?.resources ?? [] });
  }

  async function namespaceExists(name: string): Promise<boolean> {
    const resource = await servedResource(client, 'v1', 'Namespace');
    return (await client.get({ resource, namespace: undefined, name })) !== undefined;
  }

  async function sync(
    input: Application,
    opts: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void } = {},
  ): Promise<OperationResult> {
    ensureOpen();
    const app = resolveApplication(input);
    const started = new Date();
    const emit = (p: SyncProgress) => {
      try {
        opts.onProgress?.(p);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'a sync progress listener threw');
      }
    };
    const { checkout, manifests } = await target(app, opts.signal);
    const ns = app.destination.namespace;
    const base = {
      app: app.name,
      revision: checkout.sha,
      startedAt: started.toISOString(),
      dryRun: app.dryRun === true,
    };
    const leading: ResourceResult[] = [];
    const pendingNamespaces = new Set<string>();
    if (!(await namespaceExists(ns))) {
      if (!syncOptionOn('CreateNamespace', app.syncOptions)) {
        return {
          ...base,
          phase: 'Failed',
          message: `namespace ${ns} does not exist; set CreateNamespace=true`,
          resources: [],
          syncStatus: 'Unknown',
          healthStatus: 'Unknown',
          finishedAt: new Date().toISOString(),
        };
      }
      if (app.dryRun) pendingNamespaces.add(ns);
      else {
        const resource = await servedResource(client, 'v1', 'Namespace');
        await client.apply(
          { resource, namespace: undefined, name: ns },
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
          { ...writeOptions(), force: true },
        );
        leading.push({
          group: '',
          version: 'v1',
          kind: 'Namespace',
          name: ns,
          status: 'Synced',
          message: `namespace/${ns} created`,
          syncPhase: 'PreSync',
          wave: 0,
        });
      }
    }
    const lease = app.dryRun
      ? undefined
      : await acquireAppLease(client, {
          namespace: ns,
          app: app.name,
          logger,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
    const signal = AbortSignal.any(
      [opts.signal, lease?.signal].filter((s): s is AbortSignal => s !== undefined),
    );
    try {
      const initial = await state(app, checkout.sha, manifests);
      emit({ kind: 'refreshed', refresh: initial.refresh });
      for (const r of initial.resources) {
        if (
          r.object.kind !== 'Namespace' ||
          r.object.apiVersion !== 'v1' ||
          pendingNamespaces.has(r.object.metadata.name ?? '')
        )
          continue;
        if (!initial.live.has(identity(keyOf(r.object)))) pendingNamespaces.add(r.object.metadata.name ?? '');
      }
      if (!app.dryRun) {
        await writeResult(client, ns, {
          ...base,
          phase: 'Running',
          message: 'one or more tasks are running',
          resources: leading,
          syncStatus: initial.refresh.syncStatus,
          healthStatus: initial.refresh.healthStatus,
        });
      }
      const tasks = buildTasks({ app, state: initial, startedAtMs: started.getTime(), pendingNamespaces });
      logger.info(
        { app: app.name, revision: checkout.sha, tasks: tasks.length, dryRun: base.dryRun },
        `syncing ${app.name}`,
      );
      let outcome: Pick<OperationResult, 'phase' | 'message' | 'retryable'>;
      try {
        outcome = await runTasks({
          client,
          app,
          tasks,
          signal,
          logger,
          waveDelayMs: options.waveDelayMs ?? 2000,
          waveTimeoutMs: options.waveTimeoutMs ?? 300_000,
          pollIntervalMs: options.pollIntervalMs ?? 250,
          concurrency,
          onProgress: emit,
        });
      } catch (err) {
        outcome = signal.aborted
          ? {
              phase: 'Failed',
              message: `operation terminated: ${(signal.reason as Error)?.message ?? 'aborted'}`,
              retryable: true,
            }
          : {
              phase: 'Error',
              message: isImpulseError(err) ? err.message : `unexpected failure: ${(err as Error).message}`,
              retryable: retryableError(err),
            };
      }
      if (lease?.signal.aborted && outcome.phase !== 'Succeeded') outcome.retryable = true;
      const after = stateAfter(
        app,
        initial,
        tasks.filter((t) => t.result && !t.hook).map((t) => ({ key: taskKey(t), live: t.live })),
      );
      const result: OperationResult = {
        ...base,
        ...outcome,
        resources: [...leading, ...tasks.flatMap((t) => (t.result ? [t.result] : []))],
        syncStatus: app.dryRun ? initial.refresh.syncStatus : after.refresh.syncStatus,
        healthStatus: app.dryRun ? initial.refresh.healthStatus : after.refresh.healthStatus,
        finishedAt: new Date().toISOString(),
      };
      if (lease?.signal.aborted) {
        // Past the Lease another sync may already be writing its own result: do not overwrite it.
        logger.warn(
          { app: app.name, phase: result.phase, lease: `${ns}/${leaseName(app.name)}` },
          `sync of ${app.name}: the Lease was lost; its result is not recorded: ${result.phase}: ${result.message}`,
        );
      } else if (!app.dryRun) await writeResult(client, ns, result);
      logger.info(
        { app: app.name, phase: result.phase, revision: result.revision },
        `sync of ${app.name}: ${result.phase}: ${result.message}`,
      );
      return result;
    } finally {
      await lease?.close();
    }
  }

  return {
    async refresh(input: Application, opts: { signal?: AbortSignal } = {}): Promise<RefreshResult> {
      ensureOpen();
      const app = resolveApplication(input);
      const { checkout, manifests } = await target(app, opts.signal);
      return (await state(app, checkout.sha, manifests)).refresh;
    },
    sync,
    async lastResult(app) {
      ensureOpen();
      return readResult(client, app.destination.namespace, app.name);
    },
    close() {
      closed = true;
      closing ??= client.close();
      return closing;
    },
  };
}
