import { isJsonObject, type JsonObject, type KubeObject } from './kube-object.ts';
import type { HealthStatusCode } from './types.ts';

/** A resource's health; undefined from a rule means the kind has no health. */
export interface Health {
  status: HealthStatusCode;
  message?: string;
}

/** Best to worst, as Argo CD ranks them. */
const HEALTH_ORDER: readonly HealthStatusCode[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];

export function isWorse(current: HealthStatusCode, next: HealthStatusCode): boolean {
  return HEALTH_ORDER.indexOf(next) > HEALTH_ORDER.indexOf(current);
}

/**
 * The application's health: the worst of its resources' (those without health left out), Missing
 * when none of them exists, Healthy when all that exist have no health rule.
 */
export function aggregateHealth(resources: { healthStatus?: HealthStatusCode }[]): HealthStatusCode {
  if (resources.length > 0 && resources.every((r) => r.healthStatus === 'Missing')) return 'Missing';
  let worst: HealthStatusCode = 'Healthy';
  for (const r of resources) if (r.healthStatus && isWorse(worst, r.healthStatus)) worst = r.healthStatus;
  return worst;
}

type Condition = { type?: string; status?: string; reason?: string; message?: string };
type Rule = (object: KubeObject, spec: JsonObject, status: JsonObject) => Health;

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const conditions = (status: JsonObject): Condition[] =>
  Array.isArray(status.conditions) ? (status.conditions.filter(isJsonObject) as Condition[]) : [];
const conditionOf = (status: JsonObject, type: string) => conditions(status).find((c) => c.type === type);
const generationStale = (object: KubeObject, status: JsonObject) =>
  num(object.metadata.generation) > num(status.observedGeneration);

const deployment: Rule = (object, spec, status) => {
  if (spec.paused === true) return { status: 'Suspended', message: 'Deployment is paused' };
  if (generationStale(object, status)) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed generation is older than the desired one',
    };
  }
  if (conditionOf(status, 'Progressing')?.reason === 'ProgressDeadlineExceeded') {
    return {
      status: 'Degraded',
      message: `Deployment "${object.metadata.name}" exceeded its progress deadline`,
    };
  }
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const updated = num(status.updatedReplicas);
  if (updated < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${updated} out of ${desired} new replicas have been updated`,
    };
  }
  if (num(status.replicas) > updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${num(status.replicas) - updated} old replicas are pending termination`,
    };
  }
  if (num(status.availableReplicas) < updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${num(status.availableReplicas)} of ${updated} updated replicas are available`,
    };
  }
  return { status: 'Healthy' };
};

const statefulSet: Rule = (object, spec, status) => {
  if (num(status.observedGeneration) === 0 || generationStale(object, status)) {
    return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed' };
  }
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  if (num(status.readyReplicas) < replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for ${replicas - num(status.readyReplicas)} pods to be ready`,
    };
  }
  const strategy = isJsonObject(spec.updateStrategy) ? spec.updateStrategy : {};
  if (strategy.type === 'OnDelete')
    return { status: 'Healthy', message: `statefulset has ${num(status.readyReplicas)} ready pods` };
  const partition = isJsonObject(strategy.rollingUpdate) ? strategy.rollingUpdate.partition : undefined;
  if (typeof partition === 'number') {
    if (num(status.updatedReplicas) < replicas - partition) {
      return {
        status: 'Progressing',
        message: `Waiting for partitioned roll out to finish: ${num(status.updatedReplicas)} out of ${replicas - partition} new pods have been updated`,
      };
    }
    return { status: 'Healthy', message: 'partitioned roll out complete' };
  }
  if (status.updateRevision !== status.currentRevision) {
    return {
      status: 'Progressing',
      message: `waiting for statefulset rolling update to complete at revision ${String(status.updateRevision)}`,
    };
  }
  return { status: 'Healthy' };
};

const daemonSet: Rule = (object, _spec, status) => {
  if (generationStale(object, status))
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed generation is older than the desired one',
    };
  const desired = num(status.desiredNumberScheduled);
  if (num(status.updatedNumberScheduled) < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for daemon set rollout to finish: ${num(status.updatedNumberScheduled)} out of ${desired} new pods have been updated`,
    };
  }
  if (num(status.numberAvailable) < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for daemon set rollout to finish: ${num(status.numberAvailable)} of ${desired} updated pods are available`,
    };
  }
  return { status: 'Healthy' };
};

const replicaSet: Rule = (object, spec, status) => {
  if (generationStale(object, status))
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed generation is older than the desired one',
    };
  const failure = conditionOf(status, 'ReplicaFailure');
  if (failure?.status === 'True')
    return { status: 'Degraded', message: failure.message ?? 'replica failure' };
  const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
  if (num(status.availableReplicas) < replicas) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${num(status.availableReplicas)} of ${replicas} replicas are available`,
    };
  }
  return { status: 'Healthy' };
};

const pod: Rule = (_object, spec, status) => {
  const policy = typeof spec.restartPolicy === 'string' ? spec.restartPolicy : 'Always';
  const message = typeof status.message === 'string' ? status.message : undefined;
  const containers = Array.isArray(status.containerStatuses)
    ? status.containerStatuses.filter(isJsonObject)
    : [];
  if (policy === 'Always') {
    const bad = containers
      .map((c) => (isJsonObject(c.state) && isJsonObject(c.state.waiting) ? c.state.waiting : undefined))
      .filter((w) => {
        const reason = typeof w?.reason === 'string' ? w.reason : '';
        return reason.startsWith('Err') || reason.endsWith('Error') || reason.endsWith('BackOff');
      });
    if (bad.length > 0)
      return { status: 'Degraded', message: bad.map((w) => String(w?.message ?? w?.reason)).join(', ') };
  }
  switch (status.phase) {
    case 'Pending':
      return { status: 'Progressing', ...(message ? { message } : {}) };
    case 'Succeeded':
      return { status: 'Healthy', ...(message ? { message } : {}) };
    case 'Failed':
      return { status: 'Degraded', message: message ?? 'pod failed' };
    case 'Running':
      if (policy !== 'Always') return { status: 'Progressing', ...(message ? { message } : {}) };
      if (conditionOf(status, 'Ready')?.status === 'True') return { status: 'Healthy' };
      if (containers.some((c) => isJsonObject(c.lastState) && isJsonObject(c.lastState.terminated))) {
        return { status: 'Degraded', message: message ?? 'a container terminated' };
      }
      return { status: 'Progressing', ...(message ? { message } : {}) };
    default:
      return { status: 'Unknown', ...(message ? { message } : {}) };
  }
};

const job: Rule = (_object, spec, status) => {
  for (const c of conditions(status)) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete') return { status: 'Healthy', message: c.message ?? 'job completed' };
    if (c.type === 'Failed') return { status: 'Degraded', message: c.message ?? 'job failed' };
    if (c.type === 'Suspended') return { status: 'Suspended', message: c.message ?? 'job is suspended' };
  }
  if (spec.suspend === true) return { status: 'Suspended', message: 'job is suspended' };
  return { status: 'Progressing', message: 'job is running' };
};

const hasAddress = (status: JsonObject) => {
  const lb = isJsonObject(status.loadBalancer) ? status.loadBalancer : {};
  return Array.isArray(lb.ingress) && lb.ingress.length > 0;
};

const service: Rule = (_object, spec, status) =>
  spec.type !== 'LoadBalancer' || hasAddress(status)
    ? { status: 'Healthy' }
    : { status: 'Progressing', message: 'waiting for a load balancer address' };

const ingress: Rule = (_object, _spec, status) =>
  hasAddress(status)
    ? { status: 'Healthy' }
    : { status: 'Progressing', message: 'waiting for an ingress address' };

const claim: Rule = (_object, _spec, status) =>
  status.phase === 'Bound'
    ? { status: 'Healthy' }
    : status.phase === 'Lost'
      ? { status: 'Degraded', message: 'the claim lost its volume' }
      : status.phase === 'Pending'
        ? { status: 'Progressing', message: 'waiting for the claim to bind' }
        : { status: 'Unknown' };

const HPA_DEGRADED = new Set([
  'AbleToScale/FailedGetScale',
  'AbleToScale/FailedUpdateScale',
  'ScalingActive/FailedGetResourceMetric',
  'ScalingActive/InvalidSelector',
]);
const autoscaler: Rule = (_object, _spec, status) => {
  for (const c of conditions(status)) {
    if (HPA_DEGRADED.has(`${c.type}/${c.reason}`))
      return { status: 'Degraded', message: c.message ?? c.reason ?? '' };
    if ((c.type === 'AbleToScale' || c.type === 'ScalingLimited') && c.status === 'True') {
      return { status: 'Healthy', ...(c.message ? { message: c.message } : {}) };
    }
  }
  return { status: 'Progressing', message: 'Waiting to Autoscale' };
};

const apiService: Rule = (_object, _spec, status) => {
  const available = conditionOf(status, 'Available');
  return available?.status === 'True'
    ? { status: 'Healthy', ...(available.message ? { message: available.message } : {}) }
    : { status: 'Progressing', message: available?.message ?? 'waiting for the API service to be available' };
};

/** Rules by `group/kind`. */
const RULES: Record<string, Rule> = {
  'apps/Deployment': deployment,
  'apps/StatefulSet': statefulSet,
  'apps/DaemonSet': daemonSet,
  'apps/ReplicaSet': replicaSet,
  '/Pod': pod,
  'batch/Job': job,
  '/Service': service,
  'networking.k8s.io/Ingress': ingress,
  'extensions/Ingress': ingress,
  '/PersistentVolumeClaim': claim,
  'autoscaling/HorizontalPodAutoscaler': autoscaler,
  'apiregistration.k8s.io/APIService': apiService,
};

/**
 * The health of a live object by the built-in rules. Impulse differs from Argo CD on purpose: any
 * other kind that reports a `Ready` condition gets its health from it (so custom resources can hold
 * a wave): True is Healthy, False with a reason naming a failure or error is Degraded, anything else
 * (and a condition of an older generation) is Progressing.
 */
export function resourceHealth(object: KubeObject): Health | undefined {
  if (object.metadata.deletionTimestamp) return { status: 'Progressing', message: 'Pending deletion' };
  const group = object.apiVersion.includes('/')
    ? object.apiVersion.slice(0, object.apiVersion.indexOf('/'))
    : '';
  const spec = isJsonObject(object.spec) ? object.spec : {};
  const status = isJsonObject(object.status) ? object.status : {};
  const rule = RULES[`${group}/${object.kind}`];
  if (rule) return rule(object, spec, status);
  const ready = conditionOf(status, 'Ready');
  if (!ready) return undefined;
  if (status.observedGeneration !== undefined && generationStale(object, status)) {
    return { status: 'Progressing', message: 'waiting for the Ready condition of the current generation' };
  }
  if (ready.status === 'True')
    return { status: 'Healthy', ...(ready.message ? { message: ready.message } : {}) };
  // Ready=False is often "not yet" (a certificate being issued); only a failure reason is Degraded.
  if (ready.status === 'False' && /fail|error/i.test(ready.reason ?? '')) {
    return { status: 'Degraded', message: ready.message ?? ready.reason ?? 'Ready is False' };
  }
  return { status: 'Progressing', message: ready.message ?? `Ready is ${ready.status ?? 'Unknown'}` };
}
