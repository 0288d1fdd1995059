/** What the trigger reports of an Application: its last operation and its sync and health status. */
export interface AppState {
  /** `status.operationState.phase`: Running, Terminating, Succeeded, Failed, Error. */
  phase: string | undefined;
  /** `status.sync.status`: Synced, OutOfSync, Unknown. */
  syncStatus: string | undefined;
  /** `status.health.status`: Healthy, Progressing, Degraded, ... */
  healthStatus: string | undefined;
  /** The revision the operation synced (or the app's synced revision). */
  revision: string | undefined;
  message: string | undefined;
  /** The Application's `operation` field is set: an operation is requested or running. */
  operationPending: boolean;
}

const TERMINAL_PHASES = new Set(['Succeeded', 'Failed', 'Error']);

/** Reads an Application object (from the API server or Argo CD's REST API; both are the same JSON). */
export function appState(app: unknown): AppState {
  const a = (app ?? {}) as {
    operation?: unknown;
    status?: {
      operationState?: { phase?: string; message?: string; syncResult?: { revision?: string } };
      sync?: { status?: string; revision?: string };
      health?: { status?: string };
    };
  };
  const op = a.status?.operationState;
  return {
    phase: op?.phase,
    syncStatus: a.status?.sync?.status,
    healthStatus: a.status?.health?.status,
    revision: op?.syncResult?.revision ?? a.status?.sync?.revision,
    message: op?.message,
    operationPending: a.operation !== undefined && a.operation !== null,
  };
}

/**
 * Whether the operation the trigger started has finished: Argo CD's controller clears `operation`
 * when it completes one and leaves a terminal phase in `status.operationState`.
 */
export function operationFinished(s: AppState): boolean {
  return !s.operationPending && s.phase !== undefined && TERMINAL_PHASES.has(s.phase);
}
