/**
 * The GitOps sync engine: Argo CD's sync semantics (phases, hooks, waves, prune, health) with Git as
 * the source of truth. `impulse sync` and the gitops trigger use it through this module only.
 */
export { createSyncEngine, resolveApplication } from './engine.ts';
export { aggregateHealth, resourceHealth } from './health.ts';
export { APP_LABEL, FIELD_MANAGER, TRACKING_ANNOTATION } from './kube-object.ts';
export { leaseName } from './lease.ts';
export { resultName } from './result-store.ts';
export { checkSyncOptions } from './sync-options.ts';
export type {
  Application,
  HealthStatusCode,
  IgnoreDifference,
  OperationResult,
  RefreshResult,
  ResourceKey,
  ResourceResult,
  ResourceStatus,
  SyncEngine,
  SyncEngineOptions,
  SyncPhase,
  SyncProgress,
  SyncStatusCode,
} from './types.ts';
