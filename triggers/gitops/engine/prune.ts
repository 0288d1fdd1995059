import { ImpulseError } from '../../../core/errors.ts';
import type { KubeRest } from '../../../core/kube/rest.ts';
import type { ResourceInfo } from '../../../core/kube/types.ts';
import { keepResource } from './hooks.ts';
import { describeKey, type KubeObject } from './kube-object.ts';
import { sleep } from './lease.ts';
import { syncOption } from './sync-options.ts';
import type { SyncTask } from './tasks.ts';
import type { Application, ResourceResult } from './types.ts';

export interface DeleteContext {
  client: KubeRest;
  signal: AbortSignal;
  pollIntervalMs: number;
  /** When waiting for objects to be gone must end. */
  deadline: number;
}

/**
 * Prunes one extraneous object: skipped (and left OutOfSync) without `--prune`, with `Prune=false`
 * on it, or with Helm's `resource-policy: keep`; otherwise deleted (propagation from
 * `PrunePropagationPolicy`, background by default), and waited for until it is gone
 * so that the next (lower) wave's objects are pruned only after it.
 */
export async function prune(
  task: SyncTask,
  app: Application,
  ctx: DeleteContext,
): Promise<Pick<ResourceResult, 'status' | 'message'>> {
  const live = task.live;
  if (!live) return { status: 'Pruned', message: 'already gone' };
  if (!app.prune) return { status: 'PruneSkipped', message: 'ignored (requires pruning)' };
  if (syncOption('Prune', undefined, live) === 'false')
    return { status: 'PruneSkipped', message: 'ignored (no prune)' };
  if (keepResource(live))
    return { status: 'PruneSkipped', message: 'ignored (helm.sh/resource-policy: keep)' };
  if (app.dryRun) return { status: 'Pruned', message: 'pruned (dry run)' };
  const res = task.res ?? (await ctx.client.find(live.apiVersion, live.kind));
  if (!res) return { status: 'Pruned', message: 'pruned (its kind is no longer served)' };
  task.res = res;
  const policy = syncOption('PrunePropagationPolicy', app.syncOptions, live) ?? 'background';
  const propagationPolicy = (policy.charAt(0).toUpperCase() + policy.slice(1)) as
    | 'Foreground'
    | 'Background'
    | 'Orphan';
  await deleteAndWait(res, task, ctx, propagationPolicy);
  return { status: 'Pruned', message: 'pruned' };
}

/** Deletes a task's live object and waits until the server no longer has it. */
export async function deleteAndWait(
  res: ResourceInfo,
  task: SyncTask,
  ctx: DeleteContext,
  propagationPolicy: 'Foreground' | 'Background' | 'Orphan' = 'Background',
): Promise<void> {
  const name = task.live?.metadata.name ?? task.name;
  const namespace = task.live?.metadata.namespace ?? task.namespace;
  if (!task.live?.metadata.deletionTimestamp)
    await ctx.client.delete({ resource: res, namespace, name }, { propagationPolicy });
  for (;;) {
    const current = await ctx.client.get<KubeObject>({ resource: res, namespace, name });
    if (!current || current.metadata.uid !== task.live?.metadata.uid) break;
    if (Date.now() >= ctx.deadline) {
      throw new ImpulseError(
        'TIMEOUT',
        `${describeKey(task)} is still being deleted after the wave timeout`,
        {
          details: { waveTimeout: true },
        },
      );
    }
    await sleep(ctx.pollIntervalMs, ctx.signal);
  }
  delete task.live;
}
