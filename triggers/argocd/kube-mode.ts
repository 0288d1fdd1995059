import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError } from '../../core/errors.ts';
import { kubeError, kubeFailure } from '../../core/kube.ts';
import type { ArgoCdClient, SyncRequest } from './client.ts';
import { inProgressError } from './client.ts';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const PLURAL = 'applications';

/**
 * Argo CD through its Application object: a sync is a merge patch of `operation` (what `argocd app
 * sync` does under the hood), guarded by the object's resourceVersion so that two writers cannot
 * both start one; progress is the object's `status`. An Application whose `operation` is already
 * set has an operation running: the in-progress error.
 */
export async function kubeClient(kc: KubeConfig, app: string, namespace: string): Promise<ArgoCdClient> {
  const k8s = await import('@kubernetes/client-node');
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const where = `argocd Application ${namespace}/${app}`;
  const ref = { group: GROUP, version: VERSION, namespace, plural: PLURAL, name: app };

  const read = async (): Promise<Record<string, unknown>> => {
    try {
      return (await api.getNamespacedCustomObject(ref)) as Record<string, unknown>;
    } catch (err) {
      if (kubeFailure(err).status === 404) {
        throw new ImpulseError(
          'PERMANENT',
          `${where}: not found; check app and namespace (is Argo CD's Application CRD installed?)`,
          { cause: err },
        );
      }
      throw kubeError(err, `read ${where}`);
    }
  };

  return {
    describe: where,
    async sync(request: SyncRequest) {
      const current = await read();
      if (current.operation) throw inProgressError(where, 'another operation is already in progress');
      const sync: Record<string, unknown> = { syncStrategy: { [request.strategy]: {} } };
      if (request.revision) sync.revision = request.revision;
      if (request.prune !== undefined) sync.prune = request.prune;
      if (request.dryRun !== undefined) sync.dryRun = request.dryRun;
      if (request.syncOptions) sync.syncOptions = request.syncOptions;
      if (request.resources) sync.resources = request.resources;
      const version = (current.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      const body = {
        metadata: { resourceVersion: version },
        operation: {
          initiatedBy: { username: 'impulse' },
          info: [{ name: 'Reason', value: request.reason }],
          sync,
        },
      };
      try {
        await api.patchNamespacedCustomObject({ ...ref, body }, mergePatch);
      } catch (err) {
        // Someone wrote the Application since it was read, perhaps starting an operation: look again.
        if (kubeFailure(err).status === 409)
          throw inProgressError(where, 'the Application changed; trying again');
        throw kubeError(err, `set the operation of ${where}`);
      }
    },
    get: () => read(),
    async close() {},
  };
}
