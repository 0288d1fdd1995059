import { ImpulseError } from '../../core/errors.ts';
import type { KubeRest } from '../../core/kube/rest.ts';
import { describe, type KubeObject, type ObjectRef, type ResourceInfo } from '../../core/kube/types.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import type { ArtifactLocation, StandardK8STrigger } from '../../crds/index.ts';
import { type ArtifactContext, checkObject, loadArtifact } from '../artifacts/index.ts';
import { applyParameters } from '../params/index.ts';
import type { Firing, TriggerContext, TriggerDriver, TriggerFactory, TriggerOutcome } from '../types.ts';
import { defaultKubeConfig, KubeAccess, type KubeConfigLoader } from './access.ts';
import { runOperation } from './operations.ts';
import { applyLabelPolicy } from './policy.ts';

export { KubeRest } from '../../core/kube/rest.ts';
export { describe, type KubeObject, type ObjectRef, type ResourceInfo } from '../../core/kube/types.ts';
export { defaultKubeConfig, KubeAccess, type KubeConfigLoader } from './access.ts';
export { applyConflictError, FIELD_MANAGER } from './apply-conflict.ts';
export { LABELS, withCreationLabels } from './labels.ts';
export { jsonPatchOperations, mergeInto, type OperationResult, runOperation } from './operations.ts';
export { applyLabelPolicy } from './policy.ts';

export interface K8sTriggerOptions {
  /** @default KUBECONFIG, in-cluster, or ~/.kube/config (core/kube.ts) */
  kubeConfig?: KubeConfigLoader;
}

/**
 * Builds the `k8s` trigger: per firing, read the manifest from `source` (or the live object, with
 * `liveObject` and update), apply `k8s.parameters` to it, then create, update, patch or delete it in
 * the object's namespace or the sensor's, and wait for `policy.k8s` labels. Kubernetes is reached on
 * the first firing, through client-node loaded then.
 */
export function makeK8sTrigger(options: K8sTriggerOptions = {}): TriggerFactory {
  return ({ sensor, trigger, secrets }) => {
    const where = `trigger ${trigger.template.name}`;
    if (!trigger.template.k8s) throw new ImpulseError('INVALID_MANIFEST', `${where} has no k8s block`);
    checkSecrets(trigger.template.k8s.source, secrets);
    const access = new KubeAccess(options.kubeConfig ?? defaultKubeConfig);
    const sensorNamespace = sensor.metadata.namespace ?? 'default';
    const policy = trigger.policy?.k8s;

    const driver: TriggerDriver<StandardK8STrigger> = {
      async execute(spec: StandardK8STrigger, firing: Firing, ctx: TriggerContext): Promise<TriggerOutcome> {
        const rest = await access.client();
        const operation = spec.operation ?? 'create';
        const target = await resolveObject(spec, firing, {
          rest,
          sensorNamespace,
          secrets,
          signal: ctx.signal,
        });
        const done = await runOperation(operation, {
          rest,
          ...target,
          firing,
          signal: ctx.signal,
          patchStrategy: spec.patchStrategy,
          forceConflicts: spec.forceConflicts,
        });
        const name = done.object?.metadata.name ?? target.object.metadata.name ?? '';
        const ref: ObjectRef = { resource: target.resource, namespace: target.namespace, name };
        const detail: Record<string, unknown> = {
          operation,
          result: done.result,
          object: describe(ref),
          ...(done.existing ? { existing: true } : {}),
        };
        ctx.logger.info(detail, `k8s trigger: ${done.result} ${describe(ref)}`);
        if (policy && Object.keys(policy.labels).length > 0 && done.object) {
          detail.policy = await applyLabelPolicy(policy, rest, ref, {
            signal: ctx.signal,
            working: () => ctx.working(),
            logger: ctx.logger,
          });
        }
        return { status: 'succeeded', detail };
      },
    };
    return driver as TriggerDriver;
  };
}

/** The `k8s` trigger as registered: Kubernetes from `KUBECONFIG`, in-cluster, or `~/.kube/config`. */
export const createK8sTrigger: TriggerFactory = makeK8sTrigger();

export interface ResolveContext {
  rest: KubeRest;
  sensorNamespace: string;
  secrets: SecretResolver;
  signal?: AbortSignal;
}

/** The object a firing acts on, where it lives, and what discovery says about its kind. */
export interface ResolvedObject {
  object: KubeObject;
  resource: ResourceInfo;
  namespace: string | undefined;
}

/**
 * Reads the manifest and applies `parameters` to it; with `liveObject` and operation update, the
 * parameters apply to the object read from the cluster instead (as Argo Events does). A kind that
 * lives in a namespace goes to the manifest's namespace, else the sensor's.
 */
export async function resolveObject(
  spec: Pick<StandardK8STrigger, 'source' | 'parameters' | 'liveObject' | 'operation'>,
  firing: Firing,
  ctx: ResolveContext,
): Promise<ResolvedObject> {
  const artifacts: ArtifactContext = {
    secrets: ctx.secrets,
    signal: ctx.signal,
    readConfigMap: (name, key, signal) => readConfigMapKey(ctx.rest, ctx.sensorNamespace, name, key, signal),
  };
  let object = await loadArtifact(spec.source, artifacts);
  let resource = await ctx.rest.resource(object.apiVersion, object.kind, { signal: ctx.signal });
  let namespace = resource.namespaced ? object.metadata.namespace || ctx.sensorNamespace : undefined;
  if (spec.liveObject && spec.operation === 'update') {
    const name = object.metadata.name;
    if (!name)
      throw new ImpulseError('INVALID_INPUT', 'liveObject: the manifest must name the object to read');
    const ref = { resource, namespace, name };
    const live = await ctx.rest.get(ref, { signal: ctx.signal });
    if (!live) {
      throw new ImpulseError(
        'PERMANENT',
        `liveObject: ${describe(ref)} does not exist, so there is nothing to update; create it first`,
      );
    }
    object = live;
  }
  object = checkObject(
    applyParameters(object, spec.parameters, firing.events),
    'the resource after parameters',
  );
  if (object.apiVersion !== resource.apiVersion || object.kind !== resource.kind) {
    resource = await ctx.rest.resource(object.apiVersion, object.kind, { signal: ctx.signal });
  }
  namespace = resource.namespaced ? object.metadata.namespace || ctx.sensorNamespace : undefined;
  const metadata = { ...object.metadata };
  if (namespace) metadata.namespace = namespace;
  else delete metadata.namespace;
  return { object: { ...object, metadata }, resource, namespace };
}

async function readConfigMapKey(
  rest: KubeRest,
  namespace: string,
  name: string,
  key: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const resource = await rest.resource('v1', 'ConfigMap', { signal });
  const map = await rest.get({ resource, namespace, name }, { signal });
  const data = map?.data as Record<string, string> | undefined;
  return data?.[key];
}

/** Reads every secret the source names, so that a missing one stops the sensor at start. */
function checkSecrets(source: ArtifactLocation, secrets: SecretResolver): void {
  const refs = [
    source.s3?.accessKey,
    source.s3?.secretKey,
    source.s3?.caCertificate,
    source.git?.creds?.username,
    source.git?.creds?.password,
    source.git?.sshKeySecret,
    source.git?.githubApp?.privateKey,
  ];
  for (const ref of refs) if (ref && !ref.optional) secrets.get(ref);
}
