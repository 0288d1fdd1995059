import { setTimeout as pause } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { durationToMs } from '../../core/duration.ts';
import { ImpulseError, isImpulseError } from '../../core/errors.ts';
import { loadKubeConfig } from '../../core/kube.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import type { ArgoCdTrigger } from '../../crds/sensor/triggers/argocd.ts';
import { applyParameters } from '../params/index.ts';
import type { Firing, TriggerContext, TriggerDriver, TriggerFactory, TriggerOutcome } from '../types.ts';
import { type ArgoCdClient, isInProgress, type SyncRequest } from './client.ts';
import { kubeClient } from './kube-mode.ts';
import { restClient } from './rest.ts';
import { type AppState, appState, operationFinished } from './status.ts';

export { type AppState, appState, operationFinished } from './status.ts';

/** Outcome event types of a sync (ARCHITECTURE.md, "The EventBus"). */
export const SYNC_OUTCOME = {
  started: 'impulse.sync.started',
  succeeded: 'impulse.sync.succeeded',
  failed: 'impulse.sync.failed',
} as const;

export interface ArgoCdTriggerOptions {
  /** Where the kubernetes mode finds the API. @default `loadKubeConfig()` */
  kubeConfig?: () => Promise<KubeConfig>;
  /** Between two looks at a running operation. @default 1000 */
  pollMs?: number;
  /** The first pause while another operation runs; doubles up to 15 s. @default 1000 */
  inProgressDelayMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** The `argocd` trigger with the default timings and kubeconfig. */
export const createArgoCdTrigger: TriggerFactory = (init) => argoCdTriggerFactory()(init);

/**
 * The `argocd` trigger (Impulse's own): syncs an Argo CD Application through the REST API (bearer
 * token from a secret) or, with `mode: kubernetes`, by setting the Application's `operation`. While
 * another operation runs it waits, with growing pauses, up to `timeout`. It emits
 * `impulse.sync.started`, and with `wait` follows the operation to its end and emits
 * `impulse.sync.succeeded` or `.failed` with the phase, sync status and health status; a sync that
 * ends Failed or Error fails the trigger permanently (a retry would only repeat it).
 */
export function argoCdTriggerFactory(options: ArgoCdTriggerOptions = {}): TriggerFactory {
  return ({ trigger, secrets }) => {
    const spec = trigger.template.argocd as ArgoCdTrigger | undefined;
    const where = `trigger ${trigger.template.name}`;
    if (!spec) throw new ImpulseError('INVALID_MANIFEST', `${where} has no argocd block`);
    // Secrets named in the manifest must exist at startup, not at the first firing.
    if (spec.token) secrets.get(spec.token);
    let kube: Promise<KubeConfig> | undefined;
    const kubeConfig = () => {
      kube ??= (options.kubeConfig ?? (() => loadKubeConfig()))();
      kube.catch(() => {
        kube = undefined;
      });
      return kube;
    };

    const driver: TriggerDriver<ArgoCdTrigger> = {
      async execute(template, firing, ctx) {
        const resolved = applyParameters(template, template.parameters, firing.events);
        const timeoutMs = resolveTimeout(resolved.timeout, where);
        const client = await connect(resolved, secrets, kubeConfig, where);
        try {
          return await run(client, resolved, firing, ctx, timeoutMs, options);
        } finally {
          await client.close();
        }
      },
    };
    return driver as TriggerDriver;
  };
}

async function connect(
  spec: ArgoCdTrigger,
  secrets: SecretResolver,
  kubeConfig: () => Promise<KubeConfig>,
  where: string,
): Promise<ArgoCdClient> {
  if (spec.mode === 'kubernetes') {
    return kubeClient(await kubeConfig(), spec.app, spec.namespace || 'argocd');
  }
  if (!spec.server || !spec.token) {
    throw new ImpulseError('INVALID_INPUT', `${where}.argocd: rest mode needs server and token`);
  }
  const tls = spec.tls;
  return restClient({
    server: spec.server,
    token: secrets.get(spec.token),
    app: spec.app,
    namespace: spec.namespace || undefined,
    tls: {
      ...(tls?.caCertSecret ? { ca: secrets.get(tls.caCertSecret) } : {}),
      ...(tls?.clientCertSecret ? { cert: secrets.get(tls.clientCertSecret) } : {}),
      ...(tls?.clientKeySecret ? { key: secrets.get(tls.clientKeySecret) } : {}),
      rejectUnauthorized: !(spec.insecure || tls?.insecureSkipVerify),
    },
  });
}

async function run(
  client: ArgoCdClient,
  spec: ArgoCdTrigger,
  firing: Firing,
  ctx: TriggerContext,
  timeoutMs: number,
  options: ArgoCdTriggerOptions,
): Promise<TriggerOutcome> {
  const deadline = Date.now() + timeoutMs;
  const request: SyncRequest = {
    revision: spec.revision || undefined,
    prune: spec.prune,
    dryRun: spec.dryRun,
    strategy: spec.strategy ?? 'hook',
    syncOptions: spec.syncOptions,
    resources: spec.resources,
    reason: `impulse sensor ${firing.namespace}/${firing.sensor} trigger ${firing.trigger} firing ${firing.id}`,
  };
  let delay = options.inProgressDelayMs ?? 1000;
  for (;;) {
    try {
      await client.sync(request, ctx.signal);
      break;
    } catch (err) {
      if (!isInProgress(err)) throw err;
      if (Date.now() + delay > deadline) {
        throw new ImpulseError(
          'TRANSIENT',
          `${(err as Error).message}; still so after ${timeoutMs / 1000} s`,
          {
            cause: err,
          },
        );
      }
      ctx.logger.info({ app: spec.app, delayMs: delay }, 'another Argo CD operation is running; waiting');
      ctx.working();
      await sleep(delay, ctx.signal);
      delay = Math.min(delay * 2, 15_000);
    }
  }
  const base = { app: spec.app, ...(request.revision ? { revision: request.revision } : {}) };
  await ctx.emit(SYNC_OUTCOME.started, base);
  if (!spec.wait) return { status: 'succeeded', detail: base };

  const state = await waitForEnd(client, ctx, deadline, timeoutMs, options.pollMs ?? 1000);
  const report = {
    ...base,
    ...(state.revision ? { revision: state.revision } : {}),
    phase: state.phase,
    syncStatus: state.syncStatus,
    healthStatus: state.healthStatus,
    ...(state.message ? { message: state.message } : {}),
  };
  if (state.phase !== 'Succeeded') {
    await ctx.emit(SYNC_OUTCOME.failed, { ...report, error: { code: 'PERMANENT', message: state.message } });
    throw new ImpulseError(
      'PERMANENT',
      `${client.describe}: the sync ended ${state.phase}: ${state.message ?? 'no message'}`,
      { details: report },
    );
  }
  await ctx.emit(SYNC_OUTCOME.succeeded, report);
  return { status: 'succeeded', detail: report };
}

async function waitForEnd(
  client: ArgoCdClient,
  ctx: TriggerContext,
  deadline: number,
  timeoutMs: number,
  pollMs: number,
): Promise<AppState> {
  let last: AppState | undefined;
  let lastError: ImpulseError | undefined;
  for (;;) {
    try {
      last = appState(await client.get(ctx.signal));
      if (operationFinished(last)) return last;
    } catch (err) {
      // A permanent answer (the app was deleted, the token revoked) ends the wait; others may pass.
      if (isImpulseError(err) && !err.transient) throw err;
      lastError = err as ImpulseError;
    }
    if (Date.now() + pollMs > deadline) {
      const seen = last ? `last seen phase ${last.phase ?? 'none'}` : `last error: ${lastError?.message}`;
      throw new ImpulseError(
        'TIMEOUT',
        `${client.describe}: the operation did not finish within ${timeoutMs / 1000} s (${seen})`,
      );
    }
    ctx.working();
    await sleep(pollMs, ctx.signal);
  }
}

function resolveTimeout(timeout: string | undefined, where: string): number {
  if (timeout === undefined || timeout === '') return DEFAULT_TIMEOUT_MS;
  const ms = durationToMs(timeout);
  if (ms === undefined || ms <= 0) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `${where}.argocd.timeout: expected a Go duration such as "5m", found "${timeout}"`,
    );
  }
  return ms;
}

/** Waits `ms`, or less when the sensor stops; then throws CLOSED if it is stopping. */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await pause(ms, undefined, { signal }).catch(() => undefined);
  if (signal.aborted) throw new ImpulseError('CLOSED', 'the sensor is stopping');
}
