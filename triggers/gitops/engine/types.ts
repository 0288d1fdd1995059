import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../core/logger.ts';

/**
 * The public types of the sync engine. Their names and shapes are an agreed API (the gitops trigger
 * builds on them): add optional fields only.
 */

/** Fields left out of the diff (and, with `RespectIgnoreDifferences=true`, out of the apply). */
export interface IgnoreDifference {
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  /** RFC 6901 pointers: `/spec/replicas`. */
  jsonPointers?: string[];
  /** Fields owned by these field managers (an autoscaler, a controller) in the live object. */
  managedFieldsManagers?: string[];
}

/** One application: where its manifests are in Git and where they go. */
export interface Application {
  /**
   * DNS label; owned objects carry the label `impulse.dev/app=<name>` and the annotation
   * `impulse.dev/tracking-id: <destination namespace>/<name>` that decides ownership.
   */
  name: string;
  /** file://, http(s)://, git://, ssh. */
  repoURL: string;
  /** Branch, tag or commit. @default 'HEAD' */
  revision: string;
  /** Folder in the repository. @default '.' */
  path: string;
  destination: { namespace: string };
  directory?: { recurse?: boolean; include?: string; exclude?: string };
  /** 'CreateNamespace=true', 'ServerSideApply=false', 'PruneLast=true', ... */
  syncOptions?: string[];
  prune?: boolean;
  dryRun?: boolean;
  ignoreDifferences?: IgnoreDifference[];
  /** Already resolved from secrets. */
  credentials?: { username?: string; password?: string; sshPrivateKey?: string };
}

export interface ResourceKey {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type SyncStatusCode = 'Synced' | 'OutOfSync' | 'Unknown';
export type HealthStatusCode = 'Healthy' | 'Suspended' | 'Progressing' | 'Missing' | 'Degraded' | 'Unknown';
export type SyncPhase = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail';

export interface ResourceStatus extends ResourceKey {
  syncStatus: SyncStatusCode;
  reason?: 'changed' | 'missing' | 'extraneous';
  /** Undefined: the kind has no health rule. */
  healthStatus?: HealthStatusCode;
  healthMessage?: string;
  /** The differing fields of a changed resource, as JSON paths (`.spec.replicas`). */
  diff?: string[];
  /** The sync wave the resource belongs to. */
  wave?: number;
}

export interface RefreshResult {
  app: string;
  /** The resolved commit sha. */
  revision: string;
  syncStatus: SyncStatusCode;
  healthStatus: HealthStatusCode;
  resources: ResourceStatus[];
}

export interface ResourceResult extends ResourceKey {
  status: 'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped';
  message?: string;
  hookType?: string;
  hookPhase?: 'Running' | 'Succeeded' | 'Failed' | 'Error' | 'Terminating';
  syncPhase: SyncPhase;
  wave: number;
}

export interface OperationResult {
  app: string;
  revision: string;
  phase: 'Running' | 'Failed' | 'Error' | 'Succeeded' | 'Terminating';
  message: string;
  resources: ResourceResult[];
  syncStatus: RefreshResult['syncStatus'];
  healthStatus: RefreshResult['healthStatus'];
  /** RFC 3339. */
  startedAt: string;
  finishedAt?: string;
  dryRun: boolean;
  /**
   * True when the operation ended because of a failure that may go away by running it again: a
   * TRANSIENT, TIMEOUT or CLOSED ImpulseError from the API server (429, 5xx, 409 Conflict on a
   * stale resourceVersion, no answer) or a lost Lease. False or absent for failures that another
   * run would meet again: a failed hook, a Degraded resource, a wave timeout, a refused apply
   * (400/403/422). Callers retry on true instead of recording a final failure.
   */
  retryable?: boolean;
}

export type SyncProgress =
  | { kind: 'refreshed'; refresh: RefreshResult }
  | { kind: 'wave-started'; syncPhase: ResourceResult['syncPhase']; wave: number; resources: ResourceKey[] }
  | { kind: 'applied'; resource: ResourceResult }
  | { kind: 'waiting'; syncPhase: ResourceResult['syncPhase']; wave: number; waitingFor: ResourceStatus[] }
  | { kind: 'wave-finished'; syncPhase: ResourceResult['syncPhase']; wave: number };

export interface SyncEngineOptions {
  kubeConfig: KubeConfig;
  /** Git cache root (one bare cache per repository). @default <os tmpdir>/impulse-git-cache */
  cacheDir?: string;
  /** Pause after a wave is applied and before its health is judged, between waves. @default 2000 */
  waveDelayMs?: number;
  /** The longest a wave (or a hook, or a deletion) may be waited for. @default 300000 */
  waveTimeoutMs?: number;
  logger: Logger;
  /** Interval of health polls while a wave waits. @default 250 */
  pollIntervalMs?: number;
  /** Concurrent API requests inside one kind group. @default 16 */
  concurrency?: number;
}

export interface SyncEngine {
  /**
   * Fetches the revision, renders manifests, compares with the live state. Throws ImpulseError for
   * git/render failures (PERMANENT for a missing revision/path/tool, TRANSIENT for an unreachable
   * server).
   */
  refresh(app: Application, opts?: { signal?: AbortSignal }): Promise<RefreshResult>;
  /**
   * Runs a whole sync (taking the per-application Lease, recording the result in ConfigMap
   * impulse-app-<name>). Resolves with phase Failed for a failed sync (it does not throw for that);
   * throws only when it could not run at all (e.g. lease held elsewhere past the signal, git
   * unreachable).
   */
  sync(
    app: Application,
    opts?: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void },
  ): Promise<OperationResult>;
  /** The last recorded operation result, from the ConfigMap. */
  lastResult(app: { name: string; destination: { namespace: string } }): Promise<OperationResult | undefined>;
  close(): Promise<void>;
}
