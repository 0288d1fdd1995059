import { stringify } from 'yaml';
import type { SecretRef } from '../core/secrets.ts';
import { type EventSource, type Sensor, SOURCE_TYPES } from '../crds/index.ts';
import type { BusSettings } from './bus-settings.ts';
import type { KubeObject } from './cluster-api.ts';
import { ANNOTATIONS, childLabels, childName, selectorLabels, shortHash, stableJson } from './names.ts';

/** Where things are inside an EventSource or Sensor container (ARCHITECTURE.md, "Processes"). */
export const POD_PATHS = {
  specDir: '/etc/impulse/spec',
  specFile: '/etc/impulse/spec/object.yaml',
  secretsDir: '/etc/impulse/secrets',
  busDir: '/etc/impulse/bus',
  busCredentials: '/etc/impulse/bus/credentials',
  busTlsDir: '/etc/impulse/bus-tls',
} as const;
export const METRICS_PORT = 9090;

export type WorkloadKind = 'EventSource' | 'Sensor';

export interface WorkloadInput {
  kind: WorkloadKind;
  /** The object as read from the cluster (metadata included). */
  object: KubeObject;
  /** The same object, validated. */
  spec: EventSource['spec'] | Sensor['spec'];
  bus: BusSettings;
  secrets: readonly SecretRef[];
  /** The Impulse container image. */
  image: string;
}

/** What the controller creates for one EventSource or Sensor. */
export interface Workload {
  configMap: KubeObject;
  deployment: KubeObject;
  /** Present when an EventSource's `spec.service` asks for one. */
  service: KubeObject | undefined;
  /** Changes whenever the pods must be replaced. */
  hash: string;
}

/** The names of an object's ConfigMap, Deployment and Service. */
export function workloadNames(kind: WorkloadKind, name: string) {
  const suffix = kind.toLowerCase();
  return {
    configMap: childName(name, `${suffix}-spec`, 253),
    deployment: childName(name, suffix, 253),
    // Argo Events' name for an EventSource's Service.
    service: childName(name, `${suffix}-svc`),
  };
}

/**
 * The file the process reads: the whole object, metadata included, without what the API server
 * changes on every write (resourceVersion, managedFields, status), so that only a change of the
 * object itself changes the file and rolls the pods.
 */
export function specFileText(object: KubeObject): string {
  const m = object.metadata ?? {};
  const annotations = { ...m.annotations };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  const metadata = {
    name: m.name,
    namespace: m.namespace,
    ...(m.uid ? { uid: m.uid } : {}),
    ...(m.labels && Object.keys(m.labels).length > 0 ? { labels: m.labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  return stringify({ apiVersion: object.apiVersion, kind: object.kind, metadata, spec: object.spec });
}

/** The ConfigMap, Deployment and (for an EventSource that asks) Service of one object. */
export function buildWorkload(input: WorkloadInput): Workload {
  const { kind, object, spec } = input;
  const name = object.metadata?.name ?? '';
  const namespace = object.metadata?.namespace;
  const names = workloadNames(kind, name);
  const labels = childLabels(kind, name);
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.configMap, namespace, labels },
    data: { 'object.yaml': specFileText(object) },
  };
  const template = spec.template ?? {};
  const container = template.container ?? {};
  const mounts = secretMounts(input.secrets);
  const busTls = busTlsFiles(input.bus);
  const env = [
    { name: 'IMPULSE_SECRETS_DIR', value: POD_PATHS.secretsDir },
    { name: 'IMPULSE_BUS_URL', value: input.bus.url },
    { name: 'IMPULSE_BUS_NAME', value: input.bus.name },
    ...(input.bus.credentials
      ? [{ name: 'IMPULSE_BUS_CREDENTIALS_FILE', value: POD_PATHS.busCredentials }]
      : []),
    ...busTls.env,
    ...(container.env ?? []),
  ];
  const volumes: unknown[] = [
    { name: 'impulse-spec', configMap: { name: names.configMap } },
    ...(input.bus.credentials
      ? [
          {
            name: 'impulse-bus',
            secret: {
              secretName: input.bus.credentials.secretName,
              items: [{ key: input.bus.credentials.key, path: 'credentials' }],
            },
          },
        ]
      : []),
    ...busTls.volumes,
    ...mounts.volumes,
    ...(template.volumes ?? []),
  ];
  const volumeMounts: unknown[] = [
    { name: 'impulse-spec', mountPath: POD_PATHS.specDir, readOnly: true },
    ...(input.bus.credentials ? [{ name: 'impulse-bus', mountPath: POD_PATHS.busDir, readOnly: true }] : []),
    ...busTls.volumeMounts,
    ...mounts.volumeMounts,
    ...(container.volumeMounts ?? []),
  ];
  const ports = [
    { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
    ...listenPorts(kind, spec).map((port) => ({ containerPort: port, protocol: 'TCP' })),
  ];
  const podSpec = compact({
    serviceAccountName: template.serviceAccountName,
    securityContext: template.securityContext,
    nodeSelector: template.nodeSelector,
    tolerations: template.tolerations,
    imagePullSecrets: template.imagePullSecrets,
    priorityClassName: template.priorityClassName,
    priority: template.priority,
    affinity: template.affinity,
    containers: [
      compact({
        name: 'main',
        image: input.image,
        imagePullPolicy: container.imagePullPolicy,
        args: [kind.toLowerCase(), '-f', POD_PATHS.specFile, '--metrics-port', String(METRICS_PORT)],
        env,
        envFrom: container.envFrom,
        ports,
        volumeMounts,
        resources: container.resources,
        securityContext: container.securityContext,
        readinessProbe: {
          httpGet: { path: '/health', port: METRICS_PORT },
          periodSeconds: 5,
          failureThreshold: 3,
        },
      }),
    ],
    volumes,
  });
  const hash = shortHash(stableJson({ podSpec, file: configMap.data, meta: template.metadata }));
  const replicas = (spec as { replicas?: number }).replicas ?? 1;
  const history = (spec as Sensor['spec']).revisionHistoryLimit;
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: names.deployment, namespace, labels },
    spec: compact({
      replicas,
      revisionHistoryLimit: history,
      selector: { matchLabels: selectorLabels(kind, name) },
      template: {
        metadata: {
          labels: { ...template.metadata?.labels, ...labels },
          annotations: { ...template.metadata?.annotations, [ANNOTATIONS.specHash]: hash },
        },
        spec: podSpec,
      },
    }),
  };
  const wantsService = kind === 'EventSource' ? (spec as EventSource['spec']).service : undefined;
  const service: KubeObject | undefined = wantsService
    ? {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: names.service,
          namespace,
          labels: { ...wantsService.metadata?.labels, ...labels },
          ...(wantsService.metadata?.annotations ? { annotations: wantsService.metadata.annotations } : {}),
        },
        spec: compact({
          selector: selectorLabels(kind, name),
          clusterIP: wantsService.clusterIP,
          ports: wantsService.ports ?? listenPorts(kind, spec).map((port) => ({ port, targetPort: port })),
        }),
      }
    : undefined;
  return { configMap, deployment, service, hash };
}

/**
 * One volume per referenced Secret, mounted at `<secrets dir>/<name>` with only the referenced keys,
 * so each resolves to `<secrets dir>/<name>/<key>`. A Secret all of whose references are optional is
 * an optional volume.
 */
function secretMounts(refs: readonly SecretRef[]): { volumes: unknown[]; volumeMounts: unknown[] } {
  const bySecret = new Map<string, SecretRef[]>();
  for (const ref of refs) bySecret.set(ref.name, [...(bySecret.get(ref.name) ?? []), ref]);
  const volumes: unknown[] = [];
  const volumeMounts: unknown[] = [];
  [...bySecret.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .forEach(([secretName, keys], i) => {
      const volume = `impulse-secret-${i}`;
      volumes.push({
        name: volume,
        secret: compact({
          secretName,
          items: keys.map((k) => ({ key: k.key, path: k.key })),
          optional: keys.every((k) => k.optional) ? true : undefined,
        }),
      });
      volumeMounts.push({ name: volume, mountPath: `${POD_PATHS.secretsDir}/${secretName}`, readOnly: true });
    });
  return { volumes, volumeMounts };
}

/** The files of an existing NATS's `tls`, as the process reads them: the variable and the file name. */
const BUS_TLS_FILES = [
  { field: 'caCertSecret', variable: 'IMPULSE_BUS_TLS_CA_FILE', file: 'ca.crt' },
  { field: 'clientCertSecret', variable: 'IMPULSE_BUS_TLS_CERT_FILE', file: 'tls.crt' },
  { field: 'clientKeySecret', variable: 'IMPULSE_BUS_TLS_KEY_FILE', file: 'tls.key' },
] as const;

/**
 * `jetstreamExotic.tls` for the process: the Secret keys it names, projected into one folder, and
 * IMPULSE_BUS_TLS_* pointing at them (IMPULSE_BUS_TLS_INSECURE for `insecureSkipVerify`).
 */
function busTlsFiles(bus: BusSettings): { env: unknown[]; volumes: unknown[]; volumeMounts: unknown[] } {
  const files = BUS_TLS_FILES.flatMap((f) => {
    const ref = bus.tls?.[f.field];
    return ref ? [{ ...f, ref }] : [];
  });
  const env: unknown[] = files.map((f) => ({ name: f.variable, value: `${POD_PATHS.busTlsDir}/${f.file}` }));
  if (bus.tls?.insecureSkipVerify) env.push({ name: 'IMPULSE_BUS_TLS_INSECURE', value: 'true' });
  if (files.length === 0) return { env, volumes: [], volumeMounts: [] };
  const sources = files.map((f) => ({
    secret: { name: f.ref.name, items: [{ key: f.ref.key, path: f.file }] },
  }));
  return {
    env,
    volumes: [{ name: 'impulse-bus-tls', projected: { sources } }],
    volumeMounts: [{ name: 'impulse-bus-tls', mountPath: POD_PATHS.busTlsDir, readOnly: true }],
  };
}

/** The ports an EventSource's webhook-style events listen on (a Sensor listens on none). */
export function listenPorts(kind: WorkloadKind, spec: object): number[] {
  if (kind !== 'EventSource') return [];
  const ports = new Set<number>();
  for (const type of SOURCE_TYPES) {
    const events = (spec as Record<string, unknown>)[type];
    if (!events || typeof events !== 'object' || Array.isArray(events)) continue;
    for (const config of Object.values(events as Record<string, unknown>)) {
      if (!config || typeof config !== 'object') continue;
      const c = config as { port?: unknown; webhook?: { port?: unknown } };
      const port = Number(c.webhook?.port ?? c.port);
      if (Number.isInteger(port) && port > 0 && port < 65536) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** The object without its undefined fields (the API server would drop them; hashes must not see them). */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
