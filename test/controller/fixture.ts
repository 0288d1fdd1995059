import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { type Controller, type ControllerOptions, startController } from '../../controller/index.ts';
import { createLogger, silentLogger } from '../../core/logger.ts';
import { clients, rawRequest } from '../kube-emulator/fixture.ts';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { waitFor } from '../support/wait.ts';

export const GROUP = 'impulse.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const TEST_IMAGE = 'impulse:test';

/** Registers the CRDs of deploy/crds (as `kubectl apply -f deploy/crds` would) and waits until they are served. */
export async function applyCrds(emulator: KubeEmulator): Promise<void> {
  const dir = join(REPO_ROOT, 'deploy', 'crds');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as KubernetesObject;
    const res = await rawRequest(
      emulator,
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      {
        body: JSON.stringify(crd),
        headers: { 'Content-Type': 'application/json' },
      },
    );
    if (res.status !== 201 && res.status !== 409)
      throw new Error(`registering ${file}: ${res.status} ${res.text}`);
  }
  await waitFor(async () => (await rawRequest(emulator, 'GET', `/apis/${API_VERSION}`)).status === 200, {
    message: 'the impulse.dev API to be served',
  });
}

/** Fast timings, so that tests of leadership and retries stay short. */
export const FAST = {
  leaderElection: { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 },
  retry: { baseDelayMs: 100, maxDelayMs: 2000 },
} satisfies Partial<ControllerOptions>;

/** A controller on the emulator, leading alone unless told otherwise; close it with `await using`. */
export async function startTestController(
  emulator: KubeEmulator,
  options: Partial<ControllerOptions> & { kubeConfig?: ControllerOptions['kubeConfig'] } = {},
): Promise<Controller & AsyncDisposable> {
  const controller = await startController({
    kubeConfig: emulator.kubeConfig(),
    image: TEST_IMAGE,
    leaseNamespace: 'default',
    // CONTROLLER_LOGS=1 shows the controller's log lines while debugging a test.
    logger: process.env.CONTROLLER_LOGS ? createLogger({ name: 'controller' }) : silentLogger(),
    ...FAST,
    ...options,
  });
  return Object.assign(controller, { [Symbol.asyncDispose]: () => controller.close() });
}

export const PLURALS = { EventSource: 'eventsources', Sensor: 'sensors', EventBus: 'eventbus' } as const;
type Kind = keyof typeof PLURALS;

/** Client helpers for Impulse's objects in one namespace. */
export function impulseApi(emulator: KubeEmulator, namespace: string) {
  const api = clients(emulator, namespace);
  const custom = api.custom;
  return {
    ...api,
    apply(kind: Kind, name: string, spec: unknown, extra: Record<string, unknown> = {}) {
      return custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURALS[kind],
        body: { apiVersion: API_VERSION, kind, metadata: { name, namespace, ...extra }, spec },
      }) as Promise<KubernetesObject & { spec: unknown }>;
    },
    async get(kind: Kind, name: string) {
      return (await custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURALS[kind],
        name,
      })) as KubernetesObject & { spec: Record<string, unknown>; status?: ObjectStatus };
    },
    /** Changes the spec as `kubectl edit` does: read, change, write; again when the write conflicts. */
    async replaceSpec(kind: Kind, name: string, change: (spec: Record<string, unknown>) => void) {
      for (let attempt = 0; ; attempt++) {
        const current = await this.get(kind, name);
        change(current.spec);
        try {
          await custom.replaceNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace,
            plural: PLURALS[kind],
            name,
            body: current,
          });
          return;
        } catch (err) {
          if ((err as { code?: number }).code !== 409 || attempt >= 5) throw err;
        }
      }
    },
    remove(kind: Kind, name: string) {
      return custom.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: PLURALS[kind],
        name,
      });
    },
    /** The condition of `type`, once it exists (and, when given, has `status`). */
    condition(kind: Kind, name: string, type: string, status?: string) {
      return waitFor(
        async () => {
          const c = (await this.get(kind, name)).status?.conditions?.find((x) => x.type === type);
          return c && (status === undefined || c.status === status) ? c : undefined;
        },
        { message: `${kind} ${name}: condition ${type}${status ? `=${status}` : ''}`, timeoutMs: 15_000 },
      );
    },
    async events(name: string) {
      const list = await api.core.listNamespacedEvent({ namespace });
      return list.items.filter((e) => e.involvedObject.name === name);
    },
  };
}

export interface ObjectStatus {
  observedGeneration?: number;
  conditions?: {
    type: string;
    status: string;
    reason: string;
    message: string;
    lastTransitionTime: string;
    observedGeneration?: number;
  }[];
  config?: {
    jetstream?: { url?: string; accessSecret?: { name: string; key: string }; streamConfig?: unknown };
  };
}

/** An EventBus on an existing NATS. */
export const exoticBus = (url = 'nats://127.0.0.1:4222') => ({ jetstreamExotic: { url } });
