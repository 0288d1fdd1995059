import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };

/** Registers Argo CD's Application CRD (status is a plain field, as in Argo CD's own CRD). */
export async function registerApplicationCrd(kc: KubeConfig): Promise<void> {
  await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({
    body: {
      metadata: { name: 'applications.argoproj.io' },
      spec: {
        group: 'argoproj.io',
        scope: 'Namespaced',
        names: { plural: 'applications', singular: 'application', kind: 'Application', shortNames: ['app'] },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } },
          },
        ],
      },
    },
  });
}

export async function createApplication(kc: KubeConfig, namespace: string, name: string, extra = {}) {
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...APP,
    namespace,
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name },
      spec: { project: 'default', source: { repoURL: 'https://example.com/repo.git', path: '.' } },
      ...extra,
    },
  });
}

/** A test-side stand-in for Argo CD's application controller. */
export interface FakeController {
  /** Every operation it ran, in order. */
  operations: Array<Record<string, unknown>>;
  /** How the next operations end. */
  phase: 'Succeeded' | 'Failed';
  stop(): void;
}

/**
 * Plays Argo CD's controller for the Applications of `namespace`: an Application whose `operation`
 * is set gets `status.operationState` Running, then after `runMs` the end phase, sync and health
 * status, and `operation` cleared in the same write, as Argo CD does.
 */
export function fakeController(kc: KubeConfig, namespace: string, runMs = 100): FakeController {
  const api = kc.makeApiClient(CustomObjectsApi);
  const running = new Set<string>();
  const pending = new Set<NodeJS.Timeout>();
  const controller: FakeController = {
    operations: [],
    phase: 'Succeeded',
    stop: () => {
      clearInterval(timer);
      for (const t of pending) clearTimeout(t);
    },
  };
  const tick = async () => {
    const list = (await api.listNamespacedCustomObject({ ...APP, namespace })) as {
      items: Array<{ metadata: { name: string }; operation?: Record<string, unknown> }>;
    };
    for (const app of list.items) {
      const name = app.metadata.name;
      if (!app.operation || running.has(name)) continue;
      running.add(name);
      controller.operations.push(app.operation);
      const operation = app.operation;
      await api.patchNamespacedCustomObject(
        { ...APP, namespace, name, body: { status: { operationState: { phase: 'Running', operation } } } },
        merge,
      );
      const finish = setTimeout(() => {
        pending.delete(finish);
        const phase = controller.phase;
        const revision = (operation.sync as { revision?: string } | undefined)?.revision || 'abc123';
        void api
          .patchNamespacedCustomObject(
            {
              ...APP,
              namespace,
              name,
              body: {
                operation: null,
                status: {
                  operationState: {
                    phase,
                    message: `sync ${phase.toLowerCase()}`,
                    operation,
                    syncResult: { revision },
                  },
                  sync: { status: phase === 'Succeeded' ? 'Synced' : 'OutOfSync', revision },
                  health: { status: phase === 'Succeeded' ? 'Healthy' : 'Degraded' },
                },
              },
            },
            merge,
          )
          .catch(() => undefined)
          .finally(() => running.delete(name));
      }, runMs);
      pending.add(finish);
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 20);
  return controller;
}
