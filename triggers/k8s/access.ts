import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError } from '../../core/errors.ts';
import { KubeRest } from '../../core/kube/rest.ts';
import { loadKubeConfig } from '../../core/kube.ts';

/** Where a driver gets its Kubernetes configuration; tests pass the emulator's. */
export type KubeConfigLoader = () => Promise<KubeConfig>;

/** The default: `KUBECONFIG`, else the pod's service account, else `~/.kube/config` (core/kube.ts). */
export const defaultKubeConfig: KubeConfigLoader = () => loadKubeConfig();

/**
 * Connects on first use, so that a sensor whose triggers never fire never loads client-node, and
 * a kubeconfig that cannot be read fails the firing (retried) instead of the whole sensor. A failed
 * load is tried again on the next firing.
 */
export class KubeAccess {
  private connecting: Promise<KubeRest> | undefined;

  constructor(private readonly load: KubeConfigLoader) {}

  client(): Promise<KubeRest> {
    this.connecting ??= (async () => {
      try {
        return new KubeRest(await this.load());
      } catch (err) {
        if (err instanceof ImpulseError && err.code !== 'INVALID_INPUT') throw err;
        // A kubeconfig that is missing now may be mounted later; retrying is right.
        throw new ImpulseError('TRANSIENT', `cannot reach Kubernetes: ${(err as Error).message}`, {
          cause: err,
        });
      }
    })();
    this.connecting.catch(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}
