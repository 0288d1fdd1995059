import { setTimeout as sleep } from 'node:timers/promises';
import { ImpulseError, toImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { isPermanent } from '../retry.ts';
import type { ResolvedGitOps, SyncRetry } from './app-spec.ts';
import type {
  OperationResult,
  RefreshResult,
  ResourceResult,
  SyncEngine,
  SyncProgress,
} from './engine/index.ts';

/** The outcome event types of a sync (ARCHITECTURE.md, "The EventBus"). */
export const SYNC_EVENT = {
  started: 'impulse.sync.started',
  progress: 'impulse.sync.progress',
  succeeded: 'impulse.sync.succeeded',
  failed: 'impulse.sync.failed',
} as const;

/** How one run of an application ended. */
export type RunResult =
  /** Compared only (refresh, or no drift to sync). */
  | { kind: 'refreshed'; refresh: RefreshResult; drift: boolean }
  /** Synced; `refresh` is the comparison that found the drift, when one was asked for. */
  | { kind: 'synced'; result: OperationResult; attempts: number; refresh?: RefreshResult }
  /** A sync of exactly this commit started after the event and succeeded: nothing to do again. */
  | { kind: 'already'; result: OperationResult }
  /** Failed after its retries; `supersededBy` when it handed its firing over to a newer run. */
  | {
      kind: 'failed';
      error: ImpulseError;
      result?: OperationResult;
      attempts: number;
      supersededBy?: string;
    };

export interface RunContext {
  engine: SyncEngine;
  /** Publishes an outcome event of the firing that owns this run. */
  emit(type: string, data: Record<string, unknown>): Promise<void>;
  working(): void;
  signal: AbortSignal;
  logger: Logger;
  /** The firings this run covers (its own included). */
  covers: string[];
  /**
   * Hands this run's firing over to the run queued behind it when that run covers it (newer, same
   * trigger, at least as strong): returns its firing id, and retrying an older revision then helps
   * nobody. Undefined when nothing that covers it waits: keep retrying per `retry`.
   */
  handOver(): string | undefined;
  /** The newest event time of the firing (ms), to recognise a sync that already covered it. */
  eventTime: number;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Runs one application: refresh first when the mode asks for it (syncing only on drift that a sync
 * can remove), otherwise sync with Argo CD's retry (`retry.limit` retries, backoff `duration *
 * factor^n` up to `maxDuration`). Emits `impulse.sync.started`, one `.progress` per finished wave,
 * and `.succeeded` or `.failed`. Never throws for a failed sync: the caller turns the result into
 * the trigger's outcome.
 */
export async function runApplication(job: ResolvedGitOps, ctx: RunContext): Promise<RunResult> {
  const { app } = job;
  let refresh: RefreshResult | undefined;
  if (job.mode !== 'sync') {
    try {
      refresh = await ctx.engine.refresh(app, { signal: ctx.signal });
    } catch (err) {
      return {
        kind: 'failed',
        error: toImpulseError(err, 'TRANSIENT', `refreshing application ${app.name}`),
        attempts: 1,
      };
    }
    const drift = hasDrift(refresh, app.prune === true);
    if (job.mode === 'refresh' || !drift) {
      ctx.logger.info(
        { app: app.name, revision: refresh.revision, drift },
        `refreshed ${app.name}: ${refresh.syncStatus}, ${refresh.healthStatus}`,
      );
      return { kind: 'refreshed', refresh, drift };
    }
    ctx.logger.info(
      { app: app.name, revision: refresh.revision, outOfSync: outOfSync(refresh).map(describe) },
      'the application drifted from Git; syncing',
    );
  } else if (FULL_SHA.test(app.revision)) {
    const last = await ctx.engine.lastResult(app).catch(() => undefined);
    if (
      last?.phase === 'Succeeded' &&
      last.revision === app.revision &&
      Date.parse(last.startedAt) >= ctx.eventTime &&
      (!last.dryRun || app.dryRun === true)
    ) {
      return { kind: 'already', result: last };
    }
  }
  return syncWithRetry(job, ctx, refresh);
}

async function syncWithRetry(
  job: ResolvedGitOps,
  ctx: RunContext,
  refresh?: RefreshResult,
): Promise<RunResult> {
  const { app, retry } = job;
  const base = { app: app.name, covers: ctx.covers, operation: job.mode };
  let error: ImpulseError | undefined;
  let result: OperationResult | undefined;
  let attempt = 0;
  for (;;) {
    attempt++;
    await ctx.emit(SYNC_EVENT.started, { ...base, revision: refresh?.revision ?? app.revision, attempt });
    result = undefined;
    try {
      result = await ctx.engine.sync(app, {
        signal: ctx.signal,
        onProgress: progressReporter(ctx, base, app.revision),
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      error = toImpulseError(err, 'TRANSIENT', `syncing application ${app.name}`);
    }
    // Stopped mid-sync (shutdown, lost lease): leave the firing to be done again, not failed.
    if (ctx.signal.aborted)
      throw new ImpulseError('CLOSED', `the sensor stopped during the sync of ${app.name}`);
    if (result?.phase === 'Succeeded') {
      await ctx.emit(SYNC_EVENT.succeeded, { ...base, ...resultData(result), attempt });
      return { kind: 'synced', result, attempts: attempt, ...(refresh ? { refresh } : {}) };
    }
    if (result) {
      // The sync ran and failed (a hook failed, an object was refused or became Degraded): running
      // the same revision again after the retries would fail the same way, so it is permanent;
      // unless the engine says it ended on a transient cause (API unreachable, lost Lease), which
      // the delivery rules retry with backoff.
      error = new ImpulseError(
        result.retryable === true ? 'TRANSIENT' : 'PERMANENT',
        `sync of application ${app.name} at ${result.revision} ended ${result.phase}: ${result.message}`,
        { details: { app: app.name, revision: result.revision, phase: result.phase } },
      );
    }
    const exhausted = attempt > retry.limit || (isPermanent(error) && !result);
    const newer = ctx.handOver();
    const last = exhausted || newer !== undefined;
    if (last) {
      await ctx.emit(SYNC_EVENT.failed, {
        ...base,
        ...(result ? resultData(result) : { revision: refresh?.revision ?? app.revision, phase: 'Error' }),
        attempt,
        error: { code: error!.code, message: error!.message },
        ...(newer ? { supersededBy: newer } : {}),
      });
      return {
        kind: 'failed',
        error: error!,
        attempts: attempt,
        ...(result ? { result } : {}),
        ...(newer ? { supersededBy: newer } : {}),
      };
    }
    const delayMs = retryDelay(retry, attempt);
    ctx.logger.warn({ app: app.name, attempt, delayMs, err: error!.message }, 'sync failed; retrying');
    await pause(delayMs, ctx);
  }
}

/** Argo CD's backoff: `duration * factor^(n-1)`, at most `maxDuration`. */
export function retryDelay(retry: SyncRetry, attempt: number): number {
  return Math.min(retry.maxDelayMs, retry.delayMs * retry.factor ** (attempt - 1));
}

/** Waits, telling JetStream the firing is still in work; returns early when the sensor stops. */
async function pause(ms: number, ctx: RunContext): Promise<void> {
  const heartbeat = setInterval(() => ctx.working(), 1000);
  try {
    await sleep(ms, undefined, { signal: ctx.signal }).catch(() => undefined);
  } finally {
    clearInterval(heartbeat);
  }
  if (ctx.signal.aborted) throw new ImpulseError('CLOSED', 'the sensor stopped while a sync waited to retry');
}

/** One `impulse.sync.progress` per finished wave, with the results of that wave's objects. */
function progressReporter(ctx: RunContext, base: Record<string, unknown>, requested: string) {
  let revision = requested;
  let applied: ResourceResult[] = [];
  return (progress: SyncProgress) => {
    ctx.working();
    switch (progress.kind) {
      case 'refreshed':
        revision = progress.refresh.revision;
        return;
      case 'wave-started':
        applied = [];
        return;
      case 'applied':
        applied.push(progress.resource);
        return;
      case 'wave-finished': {
        const resources = applied.filter(
          (r) => r.syncPhase === progress.syncPhase && r.wave === progress.wave,
        );
        void ctx.emit(SYNC_EVENT.progress, {
          ...base,
          revision,
          phase: 'Running',
          syncPhase: progress.syncPhase,
          // Part of the outcome id: PreSync wave 0 and Sync wave 0 are different steps.
          wave: `${progress.syncPhase}.${progress.wave}`,
          waveNumber: progress.wave,
          resources,
        });
        return;
      }
    }
  };
}

function resultData(result: OperationResult): Record<string, unknown> {
  return {
    revision: result.revision,
    phase: result.phase,
    message: result.message,
    syncStatus: result.syncStatus,
    healthStatus: result.healthStatus,
    resources: result.resources,
    startedAt: result.startedAt,
    ...(result.finishedAt ? { finishedAt: result.finishedAt } : {}),
    dryRun: result.dryRun,
  };
}

/**
 * Drift a sync can remove: an object changed or missing, or one only in the cluster when pruning is
 * on. An extraneous object without prune stays OutOfSync whatever a sync does, so it must not make
 * every refresh sync again.
 */
export function hasDrift(refresh: RefreshResult, prune: boolean): boolean {
  return outOfSync(refresh).some((r) => r.reason !== 'extraneous' || prune);
}

function outOfSync(refresh: RefreshResult) {
  return refresh.resources.filter((r) => r.syncStatus !== 'Synced');
}

function describe(r: { kind: string; namespace?: string; name: string; reason?: string }): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}${r.reason ? ` (${r.reason})` : ''}`;
}
