import type { KubeRest } from '../../../core/kube/rest.ts';
import { type Health, resourceHealth } from './health.ts';
import { hookCompletion } from './hooks.ts';
import { describeKey, type KubeObject } from './kube-object.ts';
import { sleep } from './lease.ts';
import { type SyncTask, taskKey } from './tasks.ts';
import type { ResourceStatus } from './types.ts';

/** What one look at a running task found. */
export type Verdict = { done: true; ok: boolean; message?: string } | { done: false; status: ResourceStatus };

/**
 * Judges an applied task from its last seen object: a hook by its completion, a resource by its
 * health (Healthy or no health rule: done; Degraded: failed; anything else keeps waiting).
 */
export function judge(task: SyncTask): Verdict {
  const live = task.live;
  const key = taskKey(task);
  if (!live) {
    return {
      done: false,
      status: { ...key, syncStatus: 'Unknown', healthStatus: 'Missing', healthMessage: 'not found' },
    };
  }
  const health = resourceHealth(live);
  if (task.hook) {
    const c = hookCompletion(live, health);
    if (c.state === 'running') {
      return {
        done: false,
        status: {
          ...key,
          syncStatus: 'Synced',
          healthStatus: 'Progressing',
          ...(c.message ? { healthMessage: c.message } : {}),
        },
      };
    }
    return { done: true, ok: c.state === 'succeeded', ...(c.message ? { message: c.message } : {}) };
  }
  if (!health || health.status === 'Healthy')
    return { done: true, ok: true, ...(health?.message ? { message: health.message } : {}) };
  if (health.status === 'Degraded') return { done: true, ok: false, message: health.message ?? 'Degraded' };
  return { done: false, status: statusOf(key, health) };
}

function statusOf(key: ReturnType<typeof taskKey>, health: Health): ResourceStatus {
  return {
    ...key,
    syncStatus: 'Synced',
    healthStatus: health.status,
    ...(health.message ? { healthMessage: health.message } : {}),
  };
}

export interface WaitOptions {
  client: KubeRest;
  signal: AbortSignal;
  pollIntervalMs: number;
  deadline: number;
  timeoutMs: number;
  /** Called with what is still awaited whenever that changes. */
  onWaiting: (waitingFor: ResourceStatus[]) => void;
  /** Called once per task when it is done. */
  onDone: (task: SyncTask, ok: boolean, message: string | undefined) => void;
}

/**
 * Waits until every running task is done, reading each again every poll interval. Answers the
 * still-waiting resources when the deadline passes (empty: all done).
 */
export async function waitForTasks(tasks: SyncTask[], options: WaitOptions): Promise<ResourceStatus[]> {
  let pending = tasks.filter((t) => t.state === 'running');
  let lastReport = '';
  for (;;) {
    const waiting: ResourceStatus[] = [];
    const still: SyncTask[] = [];
    for (const task of pending) {
      const verdict = judge(task);
      if (verdict.done) {
        task.state = verdict.ok ? 'succeeded' : 'failed';
        options.onDone(task, verdict.ok, verdict.message);
      } else {
        waiting.push(verdict.status);
        still.push(task);
      }
    }
    pending = still;
    if (pending.length === 0) return [];
    // A failed task ends the wave at once; the others need not be awaited.
    if (tasks.some((t) => t.state === 'failed')) return [];
    const report = JSON.stringify(waiting.map((w) => [describeKey(w), w.healthStatus, w.healthMessage]));
    if (report !== lastReport) {
      options.onWaiting(waiting);
      lastReport = report;
    }
    if (Date.now() >= options.deadline) return waiting;
    await sleep(Math.min(options.pollIntervalMs, Math.max(1, options.deadline - Date.now())), options.signal);
    await Promise.all(
      pending.map(async (task) => {
        if (!task.res) return;
        const current = await options.client.get<KubeObject>({
          resource: task.res,
          namespace: task.namespace,
          name: task.name,
        });
        if (current) task.live = current;
        else delete task.live;
      }),
    );
  }
}
