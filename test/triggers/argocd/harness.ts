import { silentLogger } from '../../../core/logger.ts';
import { createSecretResolver, type SecretResolver } from '../../../core/secrets.ts';
import type { Sensor, Trigger } from '../../../crds/index.ts';
import { createCloudEvent } from '../../../eventbus/index.ts';
import { type ArgoCdTriggerOptions, argoCdTriggerFactory } from '../../../triggers/argocd/index.ts';
import { createFiring, executeTrigger, type TriggerContext } from '../../../triggers/index.ts';
import { uniqueName } from '../../support/unique.ts';

export const TOKEN_ENV = { IMPULSE_SECRET_ARGOCD_TOKEN: 'argocd-test-token' };
export const tokenRef = { name: 'argocd', key: 'token' };

/** What a trigger context saw: the outcome events it emitted and how often it said "working". */
export interface Seen {
  ctx: TriggerContext;
  emitted: Array<{ type: string; data: Record<string, unknown> }>;
  working: number;
}

export function seen(): Seen {
  const s: Seen = {
    emitted: [],
    working: 0,
    ctx: {
      signal: new AbortController().signal,
      logger: silentLogger(),
      secrets: createSecretResolver({ env: TOKEN_ENV }),
      working: () => {
        s.working++;
      },
      emit: async (type, data) => {
        s.emitted.push({ type, data: data as Record<string, unknown> });
      },
    },
  };
  return s;
}

export function firingWith(data: unknown) {
  return createFiring('default', 's', 't', {
    push: createCloudEvent({ id: uniqueName('e'), source: 'git', type: 'webhook', subject: 'push', data }),
  });
}

const sensor = { metadata: { name: 's' }, spec: { dependencies: [], triggers: [] } } as unknown as Sensor;

/** Runs an `argocd` trigger once with short timings, through the trigger pipeline. */
export async function runArgoCd(
  argocd: Record<string, unknown>,
  options: {
    data?: unknown;
    seen?: Seen;
    secrets?: SecretResolver;
    factory?: ArgoCdTriggerOptions;
    parameters?: unknown[];
  } = {},
) {
  const s = options.seen ?? seen();
  const trigger = {
    template: { name: 't', argocd },
    ...(options.parameters ? { parameters: options.parameters } : {}),
  } as unknown as Trigger;
  const secrets = options.secrets ?? createSecretResolver({ env: TOKEN_ENV });
  const driver = argoCdTriggerFactory({ pollMs: 30, inProgressDelayMs: 30, ...options.factory })({
    sensor,
    trigger,
    secrets,
    logger: silentLogger(),
  });
  try {
    const outcome = await executeTrigger(trigger, driver, firingWith(options.data ?? {}), s.ctx);
    return { outcome, seen: s };
  } finally {
    await driver.close?.();
  }
}
