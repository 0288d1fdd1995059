import { ImpulseError } from '../../core/errors.ts';
import type { GitOpsTrigger } from '../../crds/sensor/triggers/gitops.ts';
import { applyParameters } from '../params/index.ts';
import type { Firing, TriggerContext, TriggerDriver, TriggerInit, TriggerOutcome } from '../types.ts';
import { MODE_RANK, type ResolvedGitOps, resolveGitOps } from './app-spec.ts';
import { Coalescer } from './coalescer.ts';
import { type EngineFactory, EnginePool, loadEngine } from './engine-pool.ts';
import { type RunResult, runApplication } from './sync-run.ts';

export { SYNC_EVENT } from './sync-run.ts';

interface Job extends ResolvedGitOps {
  /** The newest event time of the firing (ms). */
  eventTime: number;
}

/**
 * One coalescer per process: firings of every gitops trigger of the sensor that name the same
 * application (cluster, namespace, name) share one queue, so they never sync it concurrently.
 */
const shared = new Coalescer<Job, RunResult>({
  rank: (job) => MODE_RANK[job.mode],
  merge: (older, newer) =>
    MODE_RANK[older.mode] > MODE_RANK[newer.mode] ? { ...newer, mode: older.mode } : newer,
  succeeded: (result) => result.kind !== 'failed',
});

export interface GitOpsDriverOptions {
  /** @default the engine of ./engine, loaded on first use */
  engineFactory?: EngineFactory;
  /** @default one per process */
  coalescer?: Coalescer<Job, RunResult>;
}

/**
 * The `gitops` trigger: syncs (or refreshes) an application with the built-in engine. Stages:
 * `parameters` patch the gitops block from the events; the block is checked and resolved; the
 * firing joins its application's queue (firings arriving during a sync merge into one pending
 * sync, the newest revision winning, and the merged ones finish with it); the run emits
 * `impulse.sync.*` outcomes. A sync that still fails after `retry` is a permanent error, so the
 * delivery rules dead-letter it at once instead of syncing the same revision again; one the engine
 * marks `retryable` (API unreachable, lost Lease) is transient, redelivered with backoff.
 */
export function createGitOpsDriver(init: TriggerInit, options: GitOpsDriverOptions = {}): TriggerDriver {
  const { trigger, secrets, logger } = init;
  const spec = trigger.template.gitops;
  const name = trigger.template.name;
  const where = `trigger ${name}.gitops`;
  if (!spec) throw new ImpulseError('INVALID_MANIFEST', `trigger ${name} has no gitops block`);
  // A missing secret is a startup error, not a failure of the first firing.
  for (const ref of Object.values(spec.credentials ?? {})) if (ref) secrets.get(ref);
  const engines = new EnginePool(options.engineFactory ?? loadEngine, logger);
  const coalescer = options.coalescer ?? shared;

  const driver: TriggerDriver<GitOpsTrigger> = {
    async execute(template: GitOpsTrigger, firing: Firing, ctx: TriggerContext): Promise<TriggerOutcome> {
      const resolved = applyParameters(template, template.parameters, firing.events);
      const job: Job = { ...resolveGitOps(resolved, secrets, where), eventTime: eventTime(firing) };
      const outcome = await coalescer.submit(
        {
          key: job.key,
          firingId: firing.id,
          trigger: `${firing.namespace}/${firing.sensor}/${firing.trigger}`,
          work: job,
          signal: ctx.signal,
          working: () => ctx.working(),
        },
        async (work, covers, handOver) =>
          runApplication(work, {
            engine: await engines.get(work.engine),
            emit: (type, data) => ctx.emit(type, data),
            working: () => ctx.working(),
            signal: ctx.signal,
            logger: ctx.logger,
            covers,
            handOver,
            eventTime: work.eventTime,
          }),
      );
      switch (outcome.kind) {
        case 'superseded':
          return { status: 'superseded', by: outcome.by };
        case 'already':
          return { status: 'succeeded', detail: { app: job.app.name, coveredBy: outcome.by } };
        case 'covered':
          return judge(outcome.result, job, outcome.by);
        case 'ran':
          return judge(outcome.result, job);
      }
    },
    close: () => engines.close(),
  };
  return driver as TriggerDriver;
}

/** The registered factory (triggers/registry.ts). */
export const createGitOpsTrigger = (init: TriggerInit): TriggerDriver => createGitOpsDriver(init);

/**
 * A run's result as the trigger's outcome. A failed run throws its error (PERMANENT for a sync that
 * ran and failed, TRANSIENT for one that could not run, e.g. git unreachable, or that the engine
 * marked retryable); a run that handed its firing over to a newer run of the same trigger is
 * superseded by it.
 */
function judge(result: RunResult, job: Job, coveredBy?: string): TriggerOutcome {
  const app = job.app.name;
  const covered = coveredBy ? { coveredBy } : {};
  switch (result.kind) {
    case 'failed':
      if (result.supersededBy && !coveredBy) return { status: 'superseded', by: result.supersededBy };
      if (coveredBy) {
        throw new ImpulseError(
          'TRANSIENT',
          `the sync of ${app} that covered this firing (${coveredBy}) failed: ${result.error.message}`,
          {
            cause: result.error,
          },
        );
      }
      throw result.error;
    case 'refreshed': {
      const { revision, syncStatus, healthStatus } = result.refresh;
      return {
        status: 'succeeded',
        detail: {
          app,
          operation: 'refresh',
          synced: false,
          drift: result.drift,
          revision,
          syncStatus,
          healthStatus,
          ...covered,
        },
      };
    }
    case 'already':
    case 'synced': {
      const { revision, phase, syncStatus, healthStatus } = result.result;
      return {
        status: 'succeeded',
        detail: {
          app,
          operation: job.mode,
          synced: result.kind === 'synced',
          revision,
          phase,
          syncStatus,
          healthStatus,
          ...covered,
        },
      };
    }
  }
}

/** The newest event time of a firing; without one, no earlier sync can be shown to cover it. */
function eventTime(firing: Firing): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const event of Object.values(firing.events)) {
    const t = Date.parse(event.time ?? '');
    if (Number.isFinite(t) && t > newest) newest = t;
  }
  return newest === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : newest;
}
