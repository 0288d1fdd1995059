import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../../core/logger.ts';
import { createSecretResolver, type SecretResolver } from '../../../core/secrets.ts';
import type { Sensor, Trigger } from '../../../crds/index.ts';
import { createCloudEvent } from '../../../eventbus/index.ts';
import { makeArgoWorkflowTrigger } from '../../../triggers/argo-workflow/index.ts';
import { createFiring, executeTrigger, type Firing, type TriggerContext } from '../../../triggers/index.ts';
import { KubeRest, makeK8sTrigger } from '../../../triggers/k8s/index.ts';
import { rawRequest } from '../../kube-emulator/fixture.ts';
import type { KubeEmulator } from '../../support/kube-emulator/index.ts';

/** A firing of dependency `dep` with `data` as its event's data, under fresh ids. */
export function firingOf(data: unknown, trigger = 't', sensor = 's', namespace = 'default'): Firing {
  return createFiring(namespace, sensor, trigger, {
    dep: createCloudEvent({ id: randomUUID(), source: 'hooks', type: 'webhook', subject: 'example', data }),
  });
}

export function context(secrets: SecretResolver = createSecretResolver({ env: {} })): TriggerContext & {
  workingCalls: number;
} {
  const ctx = {
    signal: new AbortController().signal,
    logger: silentLogger(),
    secrets,
    workingCalls: 0,
    working() {
      ctx.workingCalls++;
    },
    emit: async () => undefined,
  };
  return ctx;
}

export function sensorIn(namespace: string, name = 's'): Sensor {
  return { metadata: { name, namespace }, spec: { dependencies: [], triggers: [] } } as unknown as Sensor;
}

/** Runs a trigger once through the real pipeline (trigger-level parameters, then the driver). */
export async function fire(
  emulator: KubeEmulator,
  trigger: Trigger,
  firing: Firing,
  options: { namespace?: string; secrets?: SecretResolver } = {},
) {
  const type = trigger.template.argoWorkflow ? 'argoWorkflow' : 'k8s';
  const make = type === 'k8s' ? makeK8sTrigger : makeArgoWorkflowTrigger;
  const secrets = options.secrets ?? createSecretResolver({ env: {} });
  const driver = make({ kubeConfig: async () => emulator.kubeConfig() })({
    sensor: sensorIn(options.namespace ?? 'default', firing.sensor),
    trigger,
    secrets,
    logger: silentLogger(),
  });
  const ctx = context(secrets);
  const outcome = await executeTrigger(trigger, driver, firing, ctx);
  return { outcome, ctx };
}

/** Awaits a promise that must reject, and answers the error. */
export async function failure(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

export function restOf(emulator: KubeEmulator): KubeRest {
  return new KubeRest(emulator.kubeConfig());
}

/** Registers Argo Workflows' Workflow CRD (spec and status open, no status subresource, as upstream). */
export async function registerWorkflowCrd(emulator: KubeEmulator): Promise<void> {
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'workflows.argoproj.io' },
    spec: {
      group: 'argoproj.io',
      scope: 'Namespaced',
      names: {
        kind: 'Workflow',
        plural: 'workflows',
        singular: 'workflow',
        shortNames: ['wf'],
        listKind: 'WorkflowList',
      },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['metadata', 'spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: open,
                status: open,
              },
            },
          },
        },
      ],
    },
  };
  const res = await rawRequest(emulator, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    body: JSON.stringify(crd),
    headers: { 'Content-Type': 'application/json' },
  });
  if (res.status !== 201) throw new Error(`registering the Workflow CRD: ${res.status} ${res.text}`);
}
