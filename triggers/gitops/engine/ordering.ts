import type { KubeObject } from './kube-object.ts';
import type { SyncPhase } from './types.ts';

/** Phases in the order they run; SyncFail runs only when a sync fails. */
export const PHASE_ORDER: Record<SyncPhase, number> = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2 };

/** Kinds in apply order (Helm's and Argo CD's list); kinds not listed, custom ones included, come last. */
export const KIND_ORDER: readonly string[] = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];
const KIND_RANK = new Map(KIND_ORDER.map((k, i) => [k, i]));

export function kindRank(kind: string): number {
  return KIND_RANK.get(kind) ?? KIND_ORDER.length;
}

/** What ordering needs to know of a task. */
export interface Orderable {
  phase: SyncPhase;
  wave: number;
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  /** The object to apply; undefined for a prune. */
  target?: KubeObject;
}

/** Phase, then wave, then kind, then name. */
export function compareTasks(a: Orderable, b: Orderable): number {
  return (
    PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] ||
    a.wave - b.wave ||
    kindRank(a.kind) - kindRank(b.kind) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

/**
 * Sorts tasks, then moves each Namespace ahead of the first task placed in it, and each CRD ahead of
 * the first custom resource of its kind, giving the moved task that task's phase and wave: what a
 * sync needs exists before what needs it, whatever waves the author chose.
 */
export function sortTasks<T extends Orderable>(tasks: T[]): T[] {
  const sorted = [...tasks].sort(compareTasks);
  hoist(
    sorted,
    (t) => (t.target && t.kind === 'Namespace' && t.group === '' ? t.name : undefined),
    (t) => t.target?.metadata.namespace || undefined,
  );
  hoist(
    sorted,
    (t) => {
      if (!t.target || t.kind !== 'CustomResourceDefinition' || t.group !== 'apiextensions.k8s.io')
        return undefined;
      const spec = t.target.spec as { group?: string; names?: { kind?: string } } | undefined;
      return spec?.group && spec.names?.kind ? `${spec.group}/${spec.names.kind}` : undefined;
    },
    (t) => (t.target ? `${t.group}/${t.kind}` : undefined),
  );
  return sorted;
}

function hoist<T extends Orderable>(
  tasks: T[],
  provides: (t: T) => string | undefined,
  needs: (t: T) => string | undefined,
): void {
  const firstNeed = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    const provided = provides(task);
    if (provided !== undefined) {
      const index = firstNeed.get(provided);
      if (index === undefined) continue;
      task.phase = tasks[index]!.phase;
      task.wave = tasks[index]!.wave;
      tasks.splice(i, 1);
      tasks.splice(index, 0, task);
      for (const [k, v] of firstNeed) if (v >= index) firstNeed.set(k, v + 1);
      continue;
    }
    const need = needs(task);
    if (need !== undefined && !firstNeed.has(need)) firstNeed.set(need, i);
  }
}

/**
 * Prune tasks run in reverse wave order: the waves that hold prunes are swapped end for end (the
 * highest wave pruned first), and with PruneLast a prune moves after the last Sync wave.
 */
export function adjustPruneWaves<T extends Orderable & { prune: boolean; pruneLast: boolean }>(
  tasks: T[],
): void {
  const prunes = tasks.filter((t) => t.prune);
  const waves = [...new Set(prunes.map((t) => t.wave))].sort((a, b) => a - b);
  const mirrored = new Map(waves.map((w, i) => [w, waves[waves.length - 1 - i]!]));
  for (const t of prunes) t.wave = mirrored.get(t.wave) ?? t.wave;
  const lastSyncWave = Math.max(0, ...tasks.filter((t) => t.phase === 'Sync').map((t) => t.wave));
  for (const t of prunes) if (t.pruneLast) t.wave = lastSyncWave + 1;
}
