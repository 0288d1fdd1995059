import type { KubeRest } from '../../../core/kube/rest.ts';
import type { ResourceInfo } from '../../../core/kube/types.ts';
import type { Logger } from '../../../core/logger.ts';
import { type ApplyMode, applyObject } from './apply.ts';
import { apiVersionOf, describeKey, servedResource } from './kube-object.ts';
import { sleep } from './lease.ts';
import { deleteAndWait, prune } from './prune.ts';
import { retryableError } from './retryable.ts';
import { syncOption, syncOptionOn } from './sync-options.ts';
import { type SyncTask, taskKey } from './tasks.ts';
import type { Application, OperationResult, ResourceResult, SyncProgress } from './types.ts';
import { waitForTasks } from './waiting.ts';

export interface RunContext {
  client: KubeRest;
  app: Application;
  tasks: SyncTask[];
  signal: AbortSignal;
  logger: Logger;
  waveDelayMs: number;
  waveTimeoutMs: number;
  pollIntervalMs: number;
  concurrency: number;
  onProgress: (p: SyncProgress) => void;
}

export type RunOutcome = Pick<OperationResult, 'phase' | 'message' | 'retryable'>;

/** Why a step failed, and whether running the sync again could get past it. */
interface StepFailure {
  message: string;
  retryable: boolean;
}

/** A step failure from its failed tasks: retryable when any of them failed for a retryable reason. */
function stepFailure(message: string, tasks: SyncTask[]): StepFailure {
  return { message, retryable: tasks.some((t) => t.state === 'failed' && t.retryable === true) };
}

/**
 * Runs the tasks as GITOPS-SYNC.md describes: a dry run of everything first (if anything fails,
 * nothing is applied), then phase by phase and wave by wave: prunes, BeforeHookCreation deletions,
 * applies grouped by kind, and a health-gated wait (the last wave too) bounded by the wave timeout.
 * A failure runs the SyncFail hooks. Results are kept on the tasks.
 */
export async function runTasks(ctx: RunContext): Promise<RunOutcome> {
  const main = ctx.tasks.filter((t) => t.phase !== 'SyncFail');
  const failHooks = ctx.tasks.filter((t) => t.phase === 'SyncFail');

  const dryRunFailed = await dryRun(
    ctx,
    ctx.tasks.filter((t) => !t.prune && !t.skipDryRun),
  );
  if (dryRunFailed) {
    const retryable = ctx.tasks.some((t) => t.state === 'failed' && t.retryable === true);
    return { phase: 'Failed', message: 'one or more objects failed to apply (dry run)', retryable };
  }
  if (ctx.app.dryRun) {
    for (const task of main) {
      if (task.prune) setResult(ctx, task, await prune(task, ctx.app, deleteContext(ctx)));
      else
        setResult(ctx, task, {
          status: 'Synced',
          message: task.skipDryRun
            ? 'would be applied (dry run skipped: created in this sync)'
            : 'applied (dry run)',
        });
    }
    return { phase: 'Succeeded', message: 'successfully synced (dry run)' };
  }

  const steps = groupBy(main, (t) => `${t.phase}\u0000${t.wave}`);
  for (const [i, step] of steps.entries()) {
    const { phase, wave } = step[0]!;
    ctx.onProgress({ kind: 'wave-started', syncPhase: phase, wave, resources: step.map(taskKey) });
    const failure = await runStep(ctx, step, i === steps.length - 1);
    if (failure) return failed(ctx, failHooks, failure);
    ctx.onProgress({ kind: 'wave-finished', syncPhase: phase, wave });
  }
  await deleteHooks(
    ctx,
    ctx.tasks.filter((t) => t.hook && t.deletePolicies.has('HookSucceeded')),
  );
  return { phase: 'Succeeded', message: 'successfully synced (all tasks run)' };
}

/** One (phase, wave): answers the failure, or undefined when the wave is done and healthy. */
async function runStep(ctx: RunContext, step: SyncTask[], last: boolean): Promise<StepFailure | undefined> {
  const { phase, wave } = step[0]!;
  const deadline = Date.now() + ctx.waveTimeoutMs;
  const dctx = { ...deleteContext(ctx), deadline };
  const prunes = step.filter((t) => t.prune);
  await eachLimited(prunes, ctx.concurrency, async (task) => {
    try {
      setResult(ctx, task, await prune(task, ctx.app, dctx));
      task.state = 'succeeded';
    } catch (err) {
      setResult(ctx, task, { status: 'SyncFailed', message: (err as Error).message });
      task.state = 'failed';
      task.retryable = retryableError(err);
    }
  });
  if (prunes.some((t) => t.state === 'failed'))
    return stepFailure('one or more objects failed to prune', prunes);

  const applies = step.filter((t) => !t.prune);
  const replaced = applies.filter((t) => t.hook && t.live && t.deletePolicies.has('BeforeHookCreation'));
  try {
    await eachLimited(replaced, ctx.concurrency, (t) => deleteAndWait(t.res!, t, dctx));
  } catch (err) {
    return {
      message: `could not delete a hook before creating it again: ${(err as Error).message}`,
      retryable: retryableError(err),
    };
  }
  for (const group of groupBy(applies, (t) => `${t.group}/${t.kind}`)) {
    await eachLimited(group, ctx.concurrency, (task) => applyTask(ctx, task));
    if (group.some((t) => t.state === 'failed'))
      return stepFailure('one or more objects failed to apply', group);
  }
  if (!last && ctx.waveDelayMs > 0) await sleep(ctx.waveDelayMs, ctx.signal);
  const stillWaiting = await waitForTasks(applies, {
    client: ctx.client,
    signal: ctx.signal,
    pollIntervalMs: ctx.pollIntervalMs,
    deadline,
    timeoutMs: ctx.waveTimeoutMs,
    onWaiting: (waitingFor) => ctx.onProgress({ kind: 'waiting', syncPhase: phase, wave, waitingFor }),
    onDone: (task, ok, message) => finish(ctx, task, ok, message),
  });
  const bad = applies.filter((t) => t.state === 'failed');
  if (bad.length > 0) {
    // Hook failures and Degraded resources: another run would meet them again.
    return {
      message: `one or more synchronization tasks completed unsuccessfully: ${bad.map((t) => `${describeKey(t)}: ${t.result?.message ?? 'failed'}`).join('; ')}`,
      retryable: false,
    };
  }
  if (stillWaiting.length > 0) {
    const list = stillWaiting.map(
      (w) => `${describeKey(w)} (${w.healthStatus}${w.healthMessage ? `: ${w.healthMessage}` : ''})`,
    );
    return {
      message: `waveTimeout: ${phase} wave ${wave} was not done after ${ctx.waveTimeoutMs / 1000} s; still waiting for ${list.join(', ')}`,
      retryable: false,
    };
  }
  return undefined;
}

async function applyTask(ctx: RunContext, task: SyncTask, dryRun = false): Promise<void> {
  try {
    const res =
      task.res ??
      (dryRun
        ? await servedResource(ctx.client, apiVersionOf(task), task.kind)
        : await resolveKind(ctx, task));
    task.res = res;
    const applied = await applyObject(
      ctx.client,
      res,
      task.target!,
      task.live,
      applyMode(ctx.app, task, dryRun),
    );
    if (dryRun) return;
    task.live = applied.object;
    task.state = 'running';
    setResult(ctx, task, {
      status: 'Synced',
      message: applied.message,
      ...(task.hook ? { hookPhase: 'Running' as const } : {}),
    });
  } catch (err) {
    task.state = 'failed';
    task.retryable = retryableError(err);
    setResult(ctx, task, { status: 'SyncFailed', message: (err as Error).message });
  }
}

function applyMode(app: Application, task: SyncTask, dryRun: boolean): ApplyMode {
  const o = app.syncOptions;
  return {
    serverSide: syncOption('ServerSideApply', o, task.target) !== 'false',
    replace: syncOptionOn('Replace', o, task.target),
    force: syncOptionOn('Force', o, task.target),
    validate: syncOption('Validate', o, task.target) !== 'false',
    dryRun,
  };
}

/** A kind whose CRD was applied earlier in this sync: wait (within the wave timeout) until it is served. */
async function resolveKind(ctx: RunContext, task: SyncTask): Promise<ResourceInfo> {
  const apiVersion = apiVersionOf(task);
  const deadline = Date.now() + ctx.waveTimeoutMs;
  for (;;) {
    const res = await ctx.client.find(apiVersion, task.kind);
    if (res) return res;
    if (Date.now() >= deadline) return servedResource(ctx.client, apiVersion, task.kind);
    await sleep(ctx.pollIntervalMs, ctx.signal);
  }
}

/** Validates every task with the server (dryRun=All) before anything is applied; true if any failed. */
async function dryRun(ctx: RunContext, tasks: SyncTask[]): Promise<boolean> {
  await eachLimited(tasks, ctx.concurrency, (task) => applyTask(ctx, task, true));
  return tasks.some((t) => t.state === 'failed');
}

function finish(ctx: RunContext, task: SyncTask, ok: boolean, message: string | undefined): void {
  if (!task.hook) {
    if (!ok) setResult(ctx, task, { status: 'SyncFailed', message: message ?? 'Degraded' });
    return;
  }
  setResult(ctx, task, {
    status: 'Synced',
    hookPhase: ok ? 'Succeeded' : 'Failed',
    ...(message ? { message } : {}),
  });
  ctx.onProgress({ kind: 'applied', resource: task.result! });
}

/** The failure path: delete HookFailed hooks, run every SyncFail hook together, end Failed. */
async function failed(ctx: RunContext, failHooks: SyncTask[], cause: StepFailure): Promise<RunOutcome> {
  const { message, retryable } = cause;
  // Stopped from outside (the Lease lost, the caller gone): not a verdict on the application.
  if (ctx.signal.aborted)
    return { phase: 'Failed', message: `operation terminated: ${message}`, retryable: true };
  await deleteHooks(
    ctx,
    ctx.tasks.filter((t) => t.phase !== 'SyncFail' && t.hook && t.deletePolicies.has('HookFailed')),
  );
  if (failHooks.length === 0) return { phase: 'Failed', message, retryable };
  ctx.onProgress({
    kind: 'wave-started',
    syncPhase: 'SyncFail',
    wave: failHooks[0]!.wave,
    resources: failHooks.map(taskKey),
  });
  // SyncFail hooks run together, whatever their waves.
  const failure = await runStep(ctx, failHooks, true);
  ctx.onProgress({ kind: 'wave-finished', syncPhase: 'SyncFail', wave: failHooks[0]!.wave });
  await deleteHooks(
    ctx,
    failHooks.filter((t) => t.deletePolicies.has('HookFailed')),
  );
  return {
    phase: 'Failed',
    message: failure ? `${message}; one or more SyncFail hooks failed` : message,
    retryable,
  };
}

/** Deletes completed hooks (those with a live object) whose policy asks for it; failures are logged. */
async function deleteHooks(ctx: RunContext, hooks: SyncTask[]): Promise<void> {
  const done = hooks.filter((t) => t.live && t.res && (t.state === 'succeeded' || t.state === 'failed'));
  await eachLimited(done, ctx.concurrency, async (t) => {
    try {
      await ctx.client.delete(
        { resource: t.res!, namespace: t.namespace, name: t.name },
        { propagationPolicy: 'Background' },
      );
    } catch (err) {
      ctx.logger.warn({ err: (err as Error).message }, `could not delete hook ${describeKey(t)}`);
    }
  });
}

function deleteContext(ctx: RunContext) {
  return {
    client: ctx.client,
    signal: ctx.signal,
    pollIntervalMs: ctx.pollIntervalMs,
    deadline: Date.now() + ctx.waveTimeoutMs,
  };
}

function setResult(
  ctx: RunContext,
  task: SyncTask,
  fields: Pick<ResourceResult, 'status'> & Partial<ResourceResult>,
): void {
  const first = task.result === undefined;
  task.result = {
    ...taskKey(task),
    syncPhase: task.phase,
    wave: task.wave,
    ...(task.hook ? { hookType: task.phase } : {}),
    ...(task.result ?? {}),
    ...fields,
  };
  if (first) ctx.onProgress({ kind: 'applied', resource: task.result });
}

/** Consecutive runs of equal keys, in order. */
function groupBy<T>(items: T[], key: (t: T) => string): T[][] {
  const groups: T[][] = [];
  let current = '';
  for (const item of items) {
    const k = key(item);
    if (groups.length === 0 || k !== current) groups.push([]);
    groups[groups.length - 1]!.push(item);
    current = k;
  }
  return groups;
}

/** Runs `fn` on every item with at most `limit` at a time. */
export async function eachLimited<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
