import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type ImpulseError, isImpulseError, toImpulseError } from '../core/errors.ts';
import { busSubjects, ensureStream, type StreamSetting } from '../eventbus/index.ts';
import { type BusAccess, busAccess, connectToBus } from './bus-access.ts';
import type { BusSettings } from './bus-settings.ts';
import type { KubeObject } from './cluster-api.ts';
import { CONDITION, type ConditionUpdate } from './conditions.ts';
import type { ReconcileContext } from './context.ts';
import { currentCondition } from './status.ts';
import { STREAM_CONFIG_KEYS } from './stream-settings.ts';

/**
 * How soon to look again after a failure that is neither NATS being away nor a refusal, such as a
 * Secret that the bus's credentials or TLS need (Secrets are not watched).
 */
const RECHECK_MS = 30_000;

/** What reconciling an EventBus's stream concluded. */
export interface StreamReport {
  condition: ConditionUpdate;
  /** Look again after this long. */
  againMs?: number;
  /** NATS is away: throw this after writing the status, so the work queue retries with backoff. */
  retry?: ImpulseError;
}

const notReady = (reason: string, message: string): ConditionUpdate => ({
  type: CONDITION.streamReady,
  status: 'False',
  reason,
  message,
});

/**
 * Makes the stream of an EventBus exist with its resolved settings: connects to the bus as its
 * processes do, creates the stream `<name>` (subjects `<name>.>`) or updates the settings that
 * differ. What stands in the way becomes the `StreamReady` condition: an unreachable NATS (retried
 * with backoff), a missing Secret, a setting JetStream cannot change or a change it refuses (named
 * with what to do; retrying would not help, so only a spec change or the resync looks again).
 */
export async function reconcileStream(
  ctx: ReconcileContext,
  owner: KubeObject,
  bus: BusSettings,
): Promise<StreamReport> {
  const report = await provision(ctx, owner, bus);
  const before = currentCondition(owner, CONDITION.streamReady);
  if (report.condition.status !== 'True' && before?.message !== report.condition.message)
    await ctx.events.record(owner, 'Warning', report.condition.reason, report.condition.message);
  return report;
}

async function provision(ctx: ReconcileContext, owner: KubeObject, bus: BusSettings): Promise<StreamReport> {
  if ('problem' in bus.stream) return { condition: notReady('InvalidStreamConfig', bus.stream.problem) };
  let access: BusAccess;
  try {
    access = await busAccess(ctx.api, owner.metadata?.namespace ?? '', bus);
  } catch (err) {
    if (!isImpulseError(err, 'SECRET_MISSING')) throw err;
    return { condition: notReady('SecretMissing', err.message), againMs: RECHECK_MS };
  }
  let nc: NatsConnection | undefined;
  try {
    nc = await connectToBus(access, ctx.signal);
    const jsm = await jetstreamManager(nc).catch((err: unknown) => {
      throw toImpulseError(err, 'BUS_UNAVAILABLE', `JetStream does not answer at ${bus.url}`);
    });
    const outcome = await ensureStream(jsm, bus.name, bus.stream.resolved.settings, ctx.logger, {
      update: true,
    });
    if (outcome.result === 'created')
      await ctx.events.record(owner, 'Normal', 'StreamCreated', `created stream ${bus.name} on ${bus.url}`);
    if (outcome.result === 'updated')
      await ctx.events.record(
        owner,
        'Normal',
        'StreamUpdated',
        `updated stream ${bus.name}: ${outcome.differs.map((s) => STREAM_CONFIG_KEYS[s]).join(', ')}`,
      );
    return {
      condition: {
        type: CONDITION.streamReady,
        status: 'True',
        reason: 'InSync',
        message: `stream ${bus.name} (subjects ${busSubjects(bus.name)}) on ${bus.url} has the settings in status.config`,
      },
    };
  } catch (err) {
    return explain(toImpulseError(err), bus);
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

function explain(error: ImpulseError, bus: BusSettings): StreamReport {
  if (error.code === 'CLOSED') throw error;
  if (error.transient)
    return {
      condition: notReady('NatsUnreachable', `${error.message}; retrying with backoff`),
      retry: error,
    };
  const setting = error.details?.setting as StreamSetting | undefined;
  if (error.code === 'INVALID_INPUT' && setting) {
    const key = STREAM_CONFIG_KEYS[setting];
    const { from, to } = error.details as { from: unknown; to: unknown };
    const settable = setting !== 'storage' && setting !== 'subjects';
    return {
      condition: notReady(
        'StreamSettingFixed',
        `${settable ? `${bus.streamConfigPath}.${key}` : bus.streamConfigPath}: stream ${bus.name} has ${key} ${from}, and JetStream cannot change it to ${to} on an existing stream; ${settable ? `set ${key} back to ${from}, or ` : ''}delete the stream (nats stream rm ${bus.name}; its events are lost) so that the controller creates it anew`,
      ),
    };
  }
  if (error.code === 'INVALID_INPUT')
    return {
      condition: notReady(
        'StreamRefused',
        `${error.message}; change ${bus.streamConfigPath} to what this NATS allows`,
      ),
    };
  return { condition: notReady('StreamFailed', error.message), againMs: RECHECK_MS };
}
