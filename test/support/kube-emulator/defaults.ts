import { arr, ensureObject, isObject, type JsonObject, type KubeObject, obj, str } from './json.ts';
import type { ResourceType } from './resources.ts';

/**
 * Defaulting the API server does on writes of built-in kinds, limited to the fields that show up in
 * diffs and health checks. `previous` is the live object on updates, so allocated values (a
 * Service's cluster IP) survive writes that omit them.
 */
export function applyBuiltinDefaults(
  type: ResourceType,
  next: KubeObject,
  previous: KubeObject | undefined,
  allocateIp: () => string,
): void {
  if (type.custom || type.group === 'apiextensions.k8s.io') return;
  DEFAULTERS[type.kind]?.(next, previous, allocateIp);
}

function setDefault(target: JsonObject, key: string, value: JsonObject[string]): void {
  if (target[key] === undefined) target[key] = value;
}

function defaultContainers(podSpec: JsonObject | undefined): void {
  if (!podSpec) return;
  for (const list of ['initContainers', 'containers']) {
    for (const c of arr(podSpec, list) ?? []) {
      if (!isObject(c)) continue;
      for (const p of arr(c, 'ports') ?? []) if (isObject(p)) setDefault(p, 'protocol', 'TCP');
      const image = str(c, 'image') ?? '';
      const tag = image.includes('@') ? 'digest' : /:[^/]+$/.exec(image)?.[0].slice(1);
      setDefault(c, 'imagePullPolicy', tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent');
      setDefault(c, 'terminationMessagePath', '/dev/termination-log');
      setDefault(c, 'terminationMessagePolicy', 'File');
    }
  }
  setDefault(podSpec, 'restartPolicy', 'Always');
  setDefault(podSpec, 'dnsPolicy', 'ClusterFirst');
  setDefault(podSpec, 'schedulerName', 'default-scheduler');
  setDefault(podSpec, 'terminationGracePeriodSeconds', 30);
  setDefault(podSpec, 'securityContext', {});
}

function templateSpec(object: KubeObject): JsonObject | undefined {
  return obj(obj(obj(object, 'spec'), 'template'), 'spec');
}

const DEFAULTERS: Record<
  string,
  (next: KubeObject, previous: KubeObject | undefined, allocateIp: () => string) => void
> = {
  Namespace(next) {
    const labels = ensureObject(next.metadata, 'labels');
    labels['kubernetes.io/metadata.name'] = str(next.metadata, 'name') ?? '';
    setDefault(ensureObject(next, 'spec'), 'finalizers', ['kubernetes']);
    setDefault(ensureObject(next, 'status'), 'phase', 'Active');
  },
  Secret(next) {
    setDefault(next, 'type', 'Opaque');
    const stringData = obj(next, 'stringData');
    if (stringData) {
      const data = ensureObject(next, 'data');
      for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      delete next.stringData;
    }
  },
  Service(next, previous, allocateIp) {
    const spec = ensureObject(next, 'spec');
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    if (spec.type !== 'ExternalName') {
      const before = str(obj(previous, 'spec'), 'clusterIP');
      if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = before ?? allocateIp();
      setDefault(spec, 'clusterIPs', [spec.clusterIP]);
      setDefault(spec, 'ipFamilies', ['IPv4']);
      setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
      setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    }
    for (const p of arr(spec, 'ports') ?? []) {
      if (!isObject(p)) continue;
      setDefault(p, 'protocol', 'TCP');
      setDefault(p, 'targetPort', p.port ?? null);
    }
    setDefault(ensureObject(next, 'status'), 'loadBalancer', {});
  },
  Pod(next) {
    defaultContainers(obj(next, 'spec'));
    setDefault(ensureObject(next, 'status'), 'phase', 'Pending');
  },
  Deployment(next) {
    const spec = ensureObject(next, 'spec');
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'strategy', {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
    setDefault(spec, 'revisionHistoryLimit', 10);
    setDefault(spec, 'progressDeadlineSeconds', 600);
    defaultContainers(templateSpec(next));
  },
  ReplicaSet(next) {
    setDefault(ensureObject(next, 'spec'), 'replicas', 1);
    defaultContainers(templateSpec(next));
  },
  StatefulSet(next) {
    const spec = ensureObject(next, 'spec');
    setDefault(spec, 'replicas', 1);
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    setDefault(spec, 'revisionHistoryLimit', 10);
    defaultContainers(templateSpec(next));
  },
  DaemonSet(next) {
    const spec = ensureObject(next, 'spec');
    setDefault(spec, 'updateStrategy', {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    setDefault(spec, 'revisionHistoryLimit', 10);
    defaultContainers(templateSpec(next));
  },
  Job(next) {
    const spec = ensureObject(next, 'spec');
    setDefault(spec, 'parallelism', 1);
    setDefault(spec, 'completions', 1);
    setDefault(spec, 'backoffLimit', 6);
    setDefault(spec, 'completionMode', 'NonIndexed');
    setDefault(spec, 'suspend', false);
    defaultContainers(templateSpec(next));
  },
  CronJob(next) {
    const spec = ensureObject(next, 'spec');
    setDefault(spec, 'concurrencyPolicy', 'Allow');
    setDefault(spec, 'suspend', false);
    setDefault(spec, 'successfulJobsHistoryLimit', 3);
    setDefault(spec, 'failedJobsHistoryLimit', 1);
  },
  PersistentVolumeClaim(next) {
    setDefault(ensureObject(next, 'spec'), 'volumeMode', 'Filesystem');
    setDefault(ensureObject(next, 'status'), 'phase', 'Pending');
  },
};
