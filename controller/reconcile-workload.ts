import type { EventBus, EventSource, Sensor } from '../crds/index.ts';
import { type BusSettings, busSettings } from './bus-settings.ts';
import type { KubeObject } from './cluster-api.ts';
import { CONDITION, type ConditionUpdate } from './conditions.ts';
import { type ReconcileContext, type Reconciler, readLive } from './context.ts';
import { ensureOwned } from './ensure.ts';
import { secretReferences } from './secret-refs.ts';
import { currentCondition, writeStatus } from './status.ts';
import { validateClusterObject } from './validate.ts';
import { buildWorkload, type WorkloadKind, workloadNames } from './workload.ts';

/** How often to look at a workload that is not available yet, besides its watch. */
const PROGRESS_RECHECK_MS = 10_000;

/**
 * Reconciles an EventSource or a Sensor: validates it as `impulse validate` does, resolves its
 * EventBus, and makes its ConfigMap (the object), Deployment (running `impulse <kind>`) and, for an
 * EventSource that asks, Service exist as specified; then reports conditions. An invalid object or a
 * missing EventBus gets a False condition saying why, and no workload is created or changed.
 */
export function workloadReconciler(kind: WorkloadKind): Reconciler {
  return async (ctx, namespace, name) => {
    const object = await readLive(ctx, kind, namespace, name);
    if (!object) return undefined;
    const verdict = validateClusterObject(object);
    if (!verdict.ok) {
      await refuse(ctx, object, 'InvalidSpec', verdict.message);
      return undefined;
    }
    const spec = (verdict.object as EventSource | Sensor).spec;
    const busName = spec.eventBusName ?? 'default';
    const bus = await readLive(ctx, 'EventBus', namespace, busName);
    if (!bus) {
      await refuse(
        ctx,
        object,
        'EventBusNotFound',
        `EventBus ${namespace}/${busName} does not exist; create it`,
      );
      return undefined;
    }
    const busVerdict = validateClusterObject(bus);
    if (!busVerdict.ok) {
      await refuse(
        ctx,
        object,
        'EventBusInvalid',
        `EventBus ${namespace}/${busName} is invalid: ${busVerdict.message}`,
      );
      return undefined;
    }
    return deploy(ctx, object, kind, spec, busSettings(busVerdict.object as EventBus));
  };
}

async function deploy(
  ctx: ReconcileContext,
  object: KubeObject,
  kind: WorkloadKind,
  spec: EventSource['spec'] | Sensor['spec'],
  bus: BusSettings,
): Promise<number | undefined> {
  const workload = buildWorkload({
    kind,
    object,
    spec,
    bus,
    secrets: secretReferences(kind, { spec }),
    image: ctx.image,
  });
  await ensureAndReport(ctx, object, workload.configMap);
  const { object: deployment, result } = await ensureAndReport(
    ctx,
    object,
    workload.deployment,
    workload.hash,
  );
  const serviceName = workloadNames(kind, object.metadata?.name ?? '').service;
  if (workload.service) await ensureAndReport(ctx, object, workload.service);
  else await removeOwned(ctx, object, { apiVersion: 'v1', kind: 'Service' }, serviceName);

  const available = result === 'unchanged' ? availability(deployment) : undefined;
  const deploymentName = deployment.metadata?.name;
  const conditions: ConditionUpdate[] = [
    {
      type: CONDITION.configured,
      status: 'True',
      reason: 'Valid',
      message: `uses EventBus ${bus.name} at ${bus.url}`,
    },
    {
      type: CONDITION.deployed,
      status: 'True',
      reason: 'Deployed',
      message: `Deployment ${deploymentName} runs spec hash ${workload.hash}`,
    },
    available?.ok
      ? {
          type: CONDITION.available,
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: available.message,
        }
      : {
          type: CONDITION.available,
          status: 'False',
          reason: 'Progressing',
          message: available?.message ?? `Deployment ${deploymentName} is rolling out`,
        },
  ];
  await writeStatus(ctx.api, object, conditions);
  return available?.ok ? undefined : PROGRESS_RECHECK_MS;
}

/** Whether a Deployment has rolled out its current generation and has its replicas available. */
function availability(deployment: KubeObject): { ok: boolean; message: string } {
  const spec = deployment.spec as { replicas?: number } | undefined;
  const status = (deployment.status ?? {}) as {
    observedGeneration?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
  const wanted = spec?.replicas ?? 1;
  const name = deployment.metadata?.name;
  if ((status.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0))
    return { ok: false, message: `Deployment ${name} is rolling out` };
  const available = status.availableReplicas ?? 0;
  const ok = available >= wanted && (status.updatedReplicas ?? 0) >= wanted;
  return { ok, message: `Deployment ${name}: ${available} of ${wanted} replicas available` };
}

/** Ensures one owned object and records an Event when it was created or changed. */
export async function ensureAndReport(
  ctx: ReconcileContext,
  owner: KubeObject,
  desired: KubeObject,
  hash?: string,
) {
  const outcome = await ensureOwned(ctx.api, owner, desired);
  if (outcome.result !== 'unchanged') {
    const what = `${desired.kind} ${desired.metadata?.name}`;
    const verb = outcome.result === 'created' ? 'Created' : 'Updated';
    const detail = hash ? ` (spec hash ${hash})` : '';
    await ctx.events.record(owner, 'Normal', verb, `${verb.toLowerCase()} ${what}${detail}`);
  }
  return outcome;
}

/** Deletes an object of `name` that `owner` controls (one the spec no longer asks for). */
export async function removeOwned(
  ctx: ReconcileContext,
  owner: KubeObject,
  ref: { apiVersion: string; kind: string },
  name: string,
): Promise<void> {
  const existing = await ctx.api.read(ref, owner.metadata?.namespace, name);
  const owned = existing?.metadata?.ownerReferences?.some(
    (r) => r.uid === owner.metadata?.uid && r.controller,
  );
  if (!existing || !owned) return;
  await ctx.api.delete(existing);
  await ctx.events.record(
    owner,
    'Normal',
    'Deleted',
    `deleted ${ref.kind} ${name}: the spec no longer asks for it`,
  );
}

/**
 * Reports why an object is not deployed: Configured False with the reason, and an Event the first
 * time (not on every retry). A workload from an earlier, valid spec keeps running.
 */
export async function refuse(ctx: ReconcileContext, object: KubeObject, reason: string, message: string) {
  const before = currentCondition(object, CONDITION.configured);
  const changed = await writeStatus(ctx.api, object, [
    { type: CONDITION.configured, status: 'False', reason, message },
    {
      type: CONDITION.deployed,
      status: 'False',
      reason,
      message: 'nothing is created or changed until the problem is fixed',
    },
  ]);
  if (changed && (before?.reason !== reason || before?.message !== message))
    await ctx.events.record(object, 'Warning', reason, message);
}
