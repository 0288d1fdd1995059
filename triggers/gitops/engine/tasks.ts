import type { ResourceInfo } from '../../../core/kube/types.ts';
import { ignoredPaths, ignoreRulesFor, respectIgnored } from './diff.ts';
import { type DeletePolicy, deletePolicies, hookName, waveOf } from './hooks.ts';
import { identity, type KubeObject, keyOf, splitApiVersion } from './kube-object.ts';
import { adjustPruneWaves, type Orderable, sortTasks } from './ordering.ts';
import type { AppState } from './state.ts';
import { syncOptionOn } from './sync-options.ts';
import type { Application, ResourceKey, ResourceResult } from './types.ts';

/** One step of a sync: apply (or create, for a hook) one object, or prune one. */
export interface SyncTask extends Orderable {
  version: string;
  /** What to apply; undefined for a prune. */
  target?: KubeObject;
  /** The object as last seen; for an applied task, as the apply answered or a later read. */
  live?: KubeObject;
  res: ResourceInfo | undefined;
  hook: boolean;
  prune: boolean;
  pruneLast: boolean;
  deletePolicies: Set<DeletePolicy>;
  /** Left out of the dry run: its kind or namespace comes in this same sync. */
  skipDryRun: boolean;
  state: 'pending' | 'running' | 'succeeded' | 'failed';
  /** Failed because of an error that may go away by retrying (see retryableError). */
  retryable?: boolean;
  result?: ResourceResult;
}

export function taskKey(task: SyncTask): ResourceKey {
  return {
    group: task.group,
    version: task.version,
    kind: task.kind,
    name: task.name,
    ...(task.namespace ? { namespace: task.namespace } : {}),
  };
}

/**
 * The tasks of a sync, sorted: one per resource (Sync phase), one per hook and phase (a
 * `generateName` hook gets its name for this operation), and one prune per extraneous object, with
 * prune waves reversed. With `ApplyOutOfSyncOnly=true`, resources already Synced are left out.
 */
export function buildTasks(options: {
  app: Application;
  state: AppState;
  startedAtMs: number;
  /** Namespaces that do not exist yet but that this sync creates. */
  pendingNamespaces: Set<string>;
}): SyncTask[] {
  const { app, state } = options;
  const appOptions = app.syncOptions;
  const crdKinds = new Set(
    state.resources
      .filter((r) => r.object.kind === 'CustomResourceDefinition')
      .map((r) => {
        const spec = r.object.spec as { group?: string; names?: { kind?: string } } | undefined;
        return `${spec?.group}/${spec?.names?.kind}`;
      }),
  );
  const synced = new Set(
    state.refresh.resources.filter((r) => r.syncStatus === 'Synced' && r.reason === undefined).map(identity),
  );
  const tasks: SyncTask[] = [];
  const make = (
    target: KubeObject,
    res: ResourceInfo | undefined,
    phase: SyncTask['phase'],
    hook: boolean,
  ): SyncTask => {
    const key = keyOf(target);
    const live = state.live.get(identity(key));
    const { group } = splitApiVersion(target.apiVersion);
    // A hook replaced by BeforeHookCreation is validated against an object about to be deleted.
    const replacedHook = hook && live !== undefined && deletePolicies(target).has('BeforeHookCreation');
    const skipDryRun =
      replacedHook ||
      (!res &&
        (crdKinds.has(`${group}/${target.kind}`) ||
          syncOptionOn('SkipDryRunOnMissingResource', appOptions, target))) ||
      (target.metadata.namespace !== undefined && options.pendingNamespaces.has(target.metadata.namespace));
    const rules = ignoreRulesFor(app.ignoreDifferences, target);
    const applied =
      !hook && rules.length > 0 && syncOptionOn('RespectIgnoreDifferences', appOptions, target)
        ? respectIgnored(target, live, ignoredPaths(rules, live))
        : target;
    return {
      phase,
      wave: waveOf(target),
      group: key.group,
      version: key.version,
      kind: key.kind,
      name: key.name,
      ...(key.namespace ? { namespace: key.namespace } : {}),
      target: applied,
      ...(live ? { live } : {}),
      res,
      hook,
      prune: false,
      pruneLast: false,
      deletePolicies: hook ? deletePolicies(target) : new Set(),
      skipDryRun,
      state: 'pending',
    };
  };
  for (const r of state.resources) {
    if (syncOptionOn('ApplyOutOfSyncOnly', appOptions, r.object) && synced.has(identity(keyOf(r.object))))
      continue;
    tasks.push(make(r.object, r.res, 'Sync', false));
  }
  for (const h of state.hooks) {
    for (const phase of h.hook.kind === 'hook' ? h.hook.phases : []) {
      const target = structuredClone(h.object);
      if (!target.metadata.name) {
        target.metadata.name = hookName(target, state.revision, phase, options.startedAtMs);
        delete target.metadata.generateName;
      }
      tasks.push(make(target, h.res, phase, true));
    }
  }
  for (const live of state.extraneous) {
    const key = keyOf(live);
    tasks.push({
      phase: 'Sync',
      wave: waveOf(live),
      group: key.group,
      version: key.version,
      kind: key.kind,
      name: key.name,
      ...(key.namespace ? { namespace: key.namespace } : {}),
      live,
      res: undefined,
      hook: false,
      prune: true,
      pruneLast: syncOptionOn('PruneLast', appOptions, live),
      deletePolicies: new Set(),
      skipDryRun: true,
      state: 'pending',
    });
  }
  adjustPruneWaves(tasks);
  return sortTasks(tasks);
}
