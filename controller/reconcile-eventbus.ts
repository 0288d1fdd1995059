import type { EventBus } from '../crds/index.ts';
import { busSettings, busStatusConfig, natsNames } from './bus-settings.ts';
import type { KubeObject } from './cluster-api.ts';
import { CONDITION, type ConditionUpdate } from './conditions.ts';
import { type ReconcileContext, type Reconciler, readLive } from './context.ts';
import { checkOwner, ownerReference } from './ensure.ts';
import { childLabels } from './names.ts';
import { generateNatsAuth } from './nats-auth.ts';
import { natsResources } from './nats-resources.ts';
import { reconcileStream, type StreamReport } from './reconcile-stream.ts';
import { ensureAndReport, refuse, removeOwned } from './reconcile-workload.ts';
import { writeStatus } from './status.ts';
import { validateClusterObject } from './validate.ts';

const PROGRESS_RECHECK_MS = 10_000;

/**
 * Reconciles an EventBus. `jetstream`: the auth Secret (generated once, kept after), the server
 * configuration, a headless Service and a NATS StatefulSet with JetStream. `jetstreamExotic`: nothing
 * runs (an earlier managed NATS is removed); the status says where the bus is. Then (for a managed
 * bus once its servers are ready) the stream is created or brought to the resolved settings; the
 * status carries the URL, the stream settings and `StreamReady`. An unreachable NATS is retried
 * with the work queue's backoff after the status says so.
 */
export const reconcileEventBus: Reconciler = async (ctx, namespace, name) => {
  const object = await readLive(ctx, 'EventBus', namespace, name);
  if (!object) return undefined;
  const verdict = validateClusterObject(object);
  if (!verdict.ok) {
    await refuse(ctx, object, 'InvalidSpec', verdict.message);
    return undefined;
  }
  const bus = verdict.object as EventBus;
  const settings = busSettings(bus);
  // Every status says where the bus is, then whether (and what) runs it.
  const report = (deployed: { reason: string; message: string }, ...more: ConditionUpdate[]) =>
    writeStatus(
      ctx.api,
      object,
      [
        {
          type: CONDITION.configured,
          status: 'True',
          reason: 'Valid',
          message: `processes connect to ${settings.url}`,
        },
        { type: CONDITION.deployed, status: 'True', ...deployed },
        ...more,
      ],
      { config: busStatusConfig(settings) },
    );
  if (!bus.spec.jetstream) {
    await removeManagedNats(ctx, object, name);
    const stream = await reconcileStream(ctx, object, settings);
    await report({ reason: 'External', message: 'an existing NATS; nothing to run' }, stream.condition);
    return goOn(stream);
  }

  await ensureAuthSecret(ctx, object, name);
  let statefulSet: { result: string; object: KubeObject } | undefined;
  for (const desired of natsResources(bus, ctx.natsImage)) {
    const outcome = await ensureAndReport(ctx, object, desired);
    if (desired.kind === 'StatefulSet') statefulSet = outcome;
  }
  const ready = statefulSet?.result === 'unchanged' ? readiness(statefulSet.object) : undefined;
  const stream: StreamReport = ready?.ok
    ? await reconcileStream(ctx, object, settings)
    : {
        condition: {
          type: CONDITION.streamReady,
          status: 'False',
          reason: 'WaitingForNats',
          message: `the stream is made once the NATS servers are ready (${ready?.message ?? 'rolling out'})`,
        },
        againMs: PROGRESS_RECHECK_MS,
      };
  await report(
    { reason: 'Deployed', message: `StatefulSet ${natsNames(name).statefulSet} runs NATS with JetStream` },
    ready?.ok
      ? { type: CONDITION.available, status: 'True', reason: 'ReplicasReady', message: ready.message }
      : {
          type: CONDITION.available,
          status: 'False',
          reason: 'Progressing',
          message: ready?.message ?? 'the NATS StatefulSet is rolling out',
        },
    stream.condition,
  );
  return goOn(stream);
};

/** After the status is written: NATS away is thrown for the work queue's backoff; else a recheck, if any. */
function goOn(stream: StreamReport): number | undefined {
  if (stream.retry) throw stream.retry;
  return stream.againMs;
}

function readiness(statefulSet: KubeObject): { ok: boolean; message: string } {
  const wanted = (statefulSet.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const status = (statefulSet.status ?? {}) as { readyReplicas?: number; observedGeneration?: number };
  const current = (status.observedGeneration ?? 0) >= (statefulSet.metadata?.generation ?? 0);
  const ready = status.readyReplicas ?? 0;
  return {
    ok: current && ready >= wanted,
    message: `StatefulSet ${statefulSet.metadata?.name}: ${ready} of ${wanted} NATS servers ready`,
  };
}

/** Creates the auth Secret once; an existing one is kept, since every client holds its credentials. */
async function ensureAuthSecret(ctx: ReconcileContext, owner: KubeObject, busName: string): Promise<void> {
  const name = natsNames(busName).auth;
  const namespace = owner.metadata?.namespace;
  const existing = await ctx.api.read({ apiVersion: 'v1', kind: 'Secret' }, namespace, name);
  if (existing) {
    checkOwner(existing, owner);
    return;
  }
  await ctx.api.create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: childLabels('EventBus', busName),
      ownerReferences: [ownerReference(owner)],
    },
    type: 'Opaque',
    stringData: { ...generateNatsAuth(busName) },
  });
  await ctx.events.record(owner, 'Normal', 'Created', `created Secret ${name} (NATS authorization)`);
}

async function removeManagedNats(ctx: ReconcileContext, owner: KubeObject, busName: string): Promise<void> {
  const names = natsNames(busName);
  await removeOwned(ctx, owner, { apiVersion: 'apps/v1', kind: 'StatefulSet' }, names.statefulSet);
  await removeOwned(ctx, owner, { apiVersion: 'v1', kind: 'Service' }, names.service);
  await removeOwned(ctx, owner, { apiVersion: 'v1', kind: 'ConfigMap' }, names.config);
  await removeOwned(ctx, owner, { apiVersion: 'v1', kind: 'Secret' }, names.auth);
}
