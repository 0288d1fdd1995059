import { annotation, annotationList, type KubeObject } from './kube-object.ts';
import type { HealthStatusCode, SyncPhase } from './types.ts';

/** Argo CD's hook annotations, and Helm's, which count only when no Argo CD hook annotation is set. */
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
export const HOOK_DELETE_POLICY_ANNOTATION = 'argocd.argoproj.io/hook-delete-policy';
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
const HELM_HOOK = 'helm.sh/hook';
const HELM_WEIGHT = 'helm.sh/hook-weight';
const HELM_DELETE_POLICY = 'helm.sh/hook-delete-policy';
const HELM_RESOURCE_POLICY = 'helm.sh/resource-policy';

export type DeletePolicy = 'HookSucceeded' | 'HookFailed' | 'BeforeHookCreation';

/** What an object is to a sync. */
export type HookInfo =
  | { kind: 'resource' }
  /** `hook: Skip`: never applied. */
  | { kind: 'skip' }
  | { kind: 'hook'; phases: SyncPhase[] }
  /** A hook annotation with a value that is not valid: the object is left out of the sync. */
  | { kind: 'invalid'; reason: string };

const ARGO_TYPES = new Set(['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip']);
const HELM_TYPES: Record<string, SyncPhase> = {
  'crd-install': 'PreSync',
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
};

export function hookInfo(object: KubeObject): HookInfo {
  if (annotation(object, HOOK_ANNOTATION) !== undefined) {
    const types = annotationList(object, HOOK_ANNOTATION);
    const invalid = types.filter((t) => !ARGO_TYPES.has(t));
    if (types.length === 0 || invalid.length > 0) {
      return {
        kind: 'invalid',
        reason: `${HOOK_ANNOTATION}: "${annotation(object, HOOK_ANNOTATION)}" is not valid; use PreSync, Sync, PostSync, SyncFail or Skip, comma-separated`,
      };
    }
    const phases = [...new Set(types.filter((t) => t !== 'Skip'))] as SyncPhase[];
    return phases.length === 0 ? { kind: 'skip' } : { kind: 'hook', phases };
  }
  if (annotation(object, HELM_HOOK) !== undefined) {
    const types = annotationList(object, HELM_HOOK);
    const phases = [...new Set(types.map((t) => HELM_TYPES[t]).filter((p) => p !== undefined))];
    if (phases.length === 0) {
      return {
        kind: 'invalid',
        reason: `${HELM_HOOK}: "${annotation(object, HELM_HOOK)}" has no hook that runs on a sync (pre-install, pre-upgrade, post-install, post-upgrade, crd-install)`,
      };
    }
    return { kind: 'hook', phases };
  }
  return { kind: 'resource' };
}

export function isHook(object: KubeObject | undefined): boolean {
  return object !== undefined && hookInfo(object).kind === 'hook';
}

/** The sync wave: Argo CD's annotation, else Helm's hook weight, else 0. */
export function waveOf(object: KubeObject): number {
  for (const name of [SYNC_WAVE_ANNOTATION, HELM_WEIGHT]) {
    const raw = annotation(object, name);
    if (raw !== undefined && /^\s*[+-]?\d+\s*$/.test(raw)) return Number.parseInt(raw, 10);
  }
  return 0;
}

/** The delete policies of a hook; BeforeHookCreation when none is given. */
export function deletePolicies(object: KubeObject): Set<DeletePolicy> {
  const policies = new Set<DeletePolicy>();
  for (const p of annotationList(object, HOOK_DELETE_POLICY_ANNOTATION)) {
    if (p === 'HookSucceeded' || p === 'HookFailed' || p === 'BeforeHookCreation') policies.add(p);
  }
  const helm: Record<string, DeletePolicy> = {
    'before-hook-creation': 'BeforeHookCreation',
    'hook-succeeded': 'HookSucceeded',
    'hook-failed': 'HookFailed',
  };
  for (const p of annotationList(object, HELM_DELETE_POLICY)) {
    const mapped = helm[p];
    if (mapped) policies.add(mapped);
  }
  if (policies.size === 0) policies.add('BeforeHookCreation');
  return policies;
}

/** `helm.sh/resource-policy: keep`: never delete this object. */
export function keepResource(object: KubeObject | undefined): boolean {
  return annotation(object, HELM_RESOURCE_POLICY) === 'keep';
}

/**
 * The name a `generateName` hook gets in one sync: the prefix plus the revision, the phase and the
 * operation's start time, so each sync runs it anew, and a retry of the same sync finds the same one.
 * The time is in milliseconds (Argo CD uses seconds, so two syncs within a second would collide).
 */
export function hookName(
  object: KubeObject,
  revision: string,
  phase: SyncPhase,
  startedAtMs: number,
): string {
  const prefix = object.metadata.generateName ?? '';
  return `${prefix}${revision.slice(0, 7)}-${phase}-${startedAtMs}`.toLowerCase();
}

export type HookCompletion = { state: 'running' | 'succeeded' | 'failed'; message?: string };

/**
 * Whether a live hook has finished: Jobs by their Complete / Failed conditions, run-to-completion
 * Pods by their phase, anything else by its health (no health rule: done at once).
 */
export function hookCompletion(
  live: KubeObject,
  health: { status: HealthStatusCode; message?: string } | undefined,
): HookCompletion {
  const status = live.status as
    | { conditions?: { type?: string; status?: string; message?: string }[]; phase?: string }
    | undefined;
  if (live.kind === 'Job' && live.apiVersion.startsWith('batch/')) {
    for (const c of status?.conditions ?? []) {
      if (c.status !== 'True') continue;
      if (c.type === 'Complete') return { state: 'succeeded', message: c.message ?? 'job completed' };
      if (c.type === 'Failed') return { state: 'failed', message: c.message ?? 'job failed' };
    }
    return { state: 'running', message: 'job is running' };
  }
  if (live.kind === 'Pod' && live.apiVersion === 'v1') {
    const policy = (live.spec as { restartPolicy?: string } | undefined)?.restartPolicy ?? 'Always';
    if (policy === 'Never' || policy === 'OnFailure') {
      if (status?.phase === 'Succeeded') return { state: 'succeeded', message: 'pod succeeded' };
      if (status?.phase === 'Failed') return { state: 'failed', message: health?.message || 'pod failed' };
      return { state: 'running', message: `pod is ${status?.phase ?? 'Pending'}` };
    }
  }
  if (!health || health.status === 'Healthy')
    return { state: 'succeeded', ...(health?.message ? { message: health.message } : {}) };
  if (health.status === 'Degraded' || health.status === 'Unknown') {
    return { state: 'failed', message: health.message ?? health.status };
  }
  return { state: 'running', message: health.message ?? health.status };
}
