import type {
  CoordinationV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { ImpulseError } from '../core/errors.ts';
import { kubeError, kubeFailure } from '../core/kube.ts';
import { API_GROUP } from '../crds/index.ts';

/** A Kubernetes object as the controller handles it: any kind, with metadata. */
export type KubeObject = KubernetesObject & Record<string, unknown>;

/** Where a kind is served: `eventsources` under impulse.dev/v1alpha1, `deployments` under apps/v1. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}

/**
 * The controller's access to the API server. Every write first asks `mayWrite()` (is this replica
 * the leader?) and refuses with `CLOSED` when not, so a replica that has lost its Lease never writes
 * even with a request already on its way. Requests carry `User-Agent: impulse-controller/<identity>`,
 * which the API server turns into the default field manager (`impulse-controller`) and audit logs
 * show per replica.
 */
export class ClusterApi {
  private constructor(
    readonly objects: KubernetesObjectApi,
    readonly custom: CustomObjectsApi,
    readonly coordination: CoordinationV1Api,
    private readonly mayWrite: () => boolean,
    private readonly patchOptions: Awaited<ReturnType<typeof loadPatchOptions>>,
  ) {}

  static async create(kc: KubeConfig, userAgent: string, mayWrite: () => boolean): Promise<ClusterApi> {
    const k8s = await import('@kubernetes/client-node');
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ImpulseError('INVALID_INPUT', 'the kubeconfig has no current cluster');
    const config = k8s.createConfiguration({
      baseServer: new k8s.ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (context) => {
            context.setHeaderParam('User-Agent', userAgent);
            return context;
          },
          post: async (response) => response,
        },
      ],
    });
    return new ClusterApi(
      new k8s.KubernetesObjectApi(config),
      new k8s.CustomObjectsApi(config),
      new k8s.CoordinationV1Api(config),
      mayWrite,
      await loadPatchOptions(),
    );
  }

  /** The object, or undefined when it does not exist. */
  async read<T extends KubeObject = KubeObject>(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      const spec = { ...ref, metadata: { name, ...(namespace ? { namespace } : {}) } };
      return (await this.objects.read(spec)) as T;
    } catch (err) {
      if (kubeFailure(err).status === 404) return undefined;
      throw kubeError(err, `read ${describe({ ...ref, metadata: { name, namespace } })}`);
    }
  }

  async create<T extends KubeObject>(object: T): Promise<T> {
    this.#guard('create', object);
    try {
      return (await this.objects.create(object)) as T;
    } catch (err) {
      throw kubeError(err, `create ${describe(object)}`);
    }
  }

  /** PUT with the object's resourceVersion: a concurrent change answers 409 (transient: retried). */
  async replace<T extends KubeObject>(object: T): Promise<T> {
    this.#guard('update', object);
    try {
      return (await this.objects.replace(object)) as T;
    } catch (err) {
      throw kubeError(err, `update ${describe(object)}`);
    }
  }

  /** Deletes in the background (the garbage collector removes what the object owns); absent is fine. */
  async delete(object: KubeObject): Promise<void> {
    this.#guard('delete', object);
    try {
      await this.objects.delete(object, undefined, undefined, undefined, undefined, 'Background');
    } catch (err) {
      if (kubeFailure(err).status === 404) return;
      throw kubeError(err, `delete ${describe(object)}`);
    }
  }

  /** Merge-patches the `status` subresource of one of Impulse's objects; a deleted object is left be. */
  async patchStatus(plural: string, namespace: string, name: string, status: unknown): Promise<void> {
    this.#guard('update status of', { apiVersion: API_GROUP, kind: plural, metadata: { namespace, name } });
    try {
      await this.custom.patchNamespacedCustomObjectStatus(
        { group: API_GROUP, version: 'v1alpha1', namespace, plural, name, body: { status } },
        this.patchOptions.merge,
      );
    } catch (err) {
      if (kubeFailure(err).status === 404) return;
      throw kubeError(err, `update status of ${plural}.${API_GROUP} ${namespace}/${name}`);
    }
  }

  #guard(verb: string, object: KubernetesObject): void {
    if (!this.mayWrite())
      throw new ImpulseError('CLOSED', `not the leader: refusing to ${verb} ${describe(object)}`);
  }
}

async function loadPatchOptions() {
  const { PatchStrategy, setHeaderOptions } = await import('@kubernetes/client-node');
  return { merge: setHeaderOptions('Content-Type', PatchStrategy.MergePatch) };
}

/** `apps/v1 Deployment demo/web`, for error messages. */
export function describe(object: KubernetesObject): string {
  const ns = object.metadata?.namespace;
  return `${object.apiVersion} ${object.kind} ${ns ? `${ns}/` : ''}${object.metadata?.name ?? ''}`;
}
