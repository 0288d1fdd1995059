import type { EventBus } from '../crds/index.ts';
import { NATS_CLIENT_PORT, NATS_CLUSTER_PORT, NATS_MONITOR_PORT, natsNames } from './bus-settings.ts';
import type { KubeObject } from './cluster-api.ts';
import { ANNOTATIONS, childLabels, selectorLabels, shortHash, stableJson } from './names.ts';
import { compact } from './workload.ts';

/** Defaults of a managed EventBus; the image repository is the controller's `--nats-image`. */
export const NATS_DEFAULTS = {
  image: 'nats',
  version: '2.10.22',
  replicas: 3,
  volumeSize: '10Gi',
  /** ARCHITECTURE.md: the controller's NATS takes events of up to 8 MiB. */
  maxPayload: '8MB',
} as const;

const CONFIG_DIR = '/etc/nats-config';
const AUTH_DIR = '/etc/nats-auth';
const DATA_DIR = '/data';

/**
 * The nats-server configuration of a managed EventBus: JetStream on the pod's volume, cluster
 * routes to every replica through the headless Service (no cluster with one replica), the
 * monitoring port for probes, and the authorization from the auth Secret (`include`d, so that the
 * ConfigMap holds nothing generated per install). `spec.jetstream.settings` is appended as given.
 */
export function natsConfigText(bus: EventBus): string {
  const js = bus.spec.jetstream ?? {};
  const name = bus.metadata.name ?? 'default';
  const names = natsNames(name);
  const replicas = js.replicas ?? NATS_DEFAULTS.replicas;
  const lines = [
    `# nats-server configuration of EventBus ${bus.metadata.namespace}/${name}, written by impulse-controller.`,
    'server_name: $POD_NAME',
    `port: ${NATS_CLIENT_PORT}`,
    `http_port: ${NATS_MONITOR_PORT}`,
    `max_payload: ${js.maxPayload ?? NATS_DEFAULTS.maxPayload}`,
    'lame_duck_duration: 30s',
    'jetstream {',
    `  store_dir: "${DATA_DIR}"`,
    '}',
  ];
  if (replicas > 1) {
    const routes = Array.from(
      { length: replicas },
      (_, i) =>
        `    nats://${names.statefulSet}-${i}.${names.service}.${bus.metadata.namespace}.svc:${NATS_CLUSTER_PORT}`,
    );
    lines.push(
      'cluster {',
      `  name: ${name}`,
      `  port: ${NATS_CLUSTER_PORT}`,
      '  routes: [',
      ...routes,
      '  ]',
      '}',
    );
  }
  lines.push(`include ../${AUTH_DIR.split('/').pop()}/auth.conf`);
  if (js.settings) lines.push('# spec.jetstream.settings', js.settings);
  return `${lines.join('\n')}\n`;
}

/** The ConfigMap, headless Service and StatefulSet of a managed EventBus. */
export function natsResources(bus: EventBus, image: string): KubeObject[] {
  const js = bus.spec.jetstream ?? {};
  const name = bus.metadata.name ?? 'default';
  const namespace = bus.metadata.namespace;
  const names = natsNames(name);
  const labels = childLabels('EventBus', name);
  const config = natsConfigText(bus);
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.config, namespace, labels },
    data: { 'nats.conf': config },
  };
  const ports = [
    { name: 'client', port: NATS_CLIENT_PORT },
    { name: 'cluster', port: NATS_CLUSTER_PORT },
    { name: 'monitor', port: NATS_MONITOR_PORT },
  ];
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: names.service, namespace, labels },
    spec: {
      clusterIP: 'None',
      // Routes must resolve before the servers are ready, or a new cluster never forms.
      publishNotReadyAddresses: true,
      selector: selectorLabels('EventBus', name),
      ports: ports.map((p) => ({ ...p, targetPort: p.port, protocol: 'TCP' })),
    },
  };
  const container = js.containerTemplate ?? {};
  const probe = (path: string, initialDelaySeconds: number) => ({
    httpGet: { path, port: NATS_MONITOR_PORT },
    initialDelaySeconds,
    periodSeconds: 10,
    failureThreshold: 3,
  });
  const podSpec = compact({
    serviceAccountName: js.serviceAccountName,
    securityContext: js.securityContext,
    nodeSelector: js.nodeSelector,
    tolerations: js.tolerations,
    imagePullSecrets: js.imagePullSecrets,
    priorityClassName: js.priorityClassName,
    priority: js.priority,
    affinity: js.affinity,
    terminationGracePeriodSeconds: 60,
    containers: [
      compact({
        name: 'nats',
        image: `${image}:${js.version ?? NATS_DEFAULTS.version}`,
        imagePullPolicy: container.imagePullPolicy,
        args: ['--config', `${CONFIG_DIR}/nats.conf`, ...(js.startArgs ?? [])],
        env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
        volumeMounts: [
          { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
          { name: 'auth', mountPath: AUTH_DIR, readOnly: true },
          { name: 'data', mountPath: DATA_DIR },
        ],
        resources: container.resources,
        securityContext: container.securityContext,
        startupProbe: { ...probe('/healthz?js-enabled-only=true', 5), failureThreshold: 30 },
        livenessProbe: probe('/healthz?js-enabled-only=true', 10),
        readinessProbe: probe('/healthz?js-server-only=true', 10),
      }),
    ],
    volumes: [
      { name: 'config', configMap: { name: names.config } },
      { name: 'auth', secret: { secretName: names.auth } },
    ],
  });
  const persistence = js.persistence ?? {};
  const statefulSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: names.statefulSet, namespace, labels },
    spec: {
      serviceName: names.service,
      replicas: js.replicas ?? NATS_DEFAULTS.replicas,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels('EventBus', name) },
      template: {
        metadata: {
          labels: { ...js.metadata?.labels, ...labels },
          annotations: {
            ...js.metadata?.annotations,
            [ANNOTATIONS.specHash]: shortHash(stableJson({ podSpec, config })),
          },
        },
        spec: podSpec,
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels },
          spec: compact({
            accessModes: [persistence.accessMode ?? 'ReadWriteOnce'],
            storageClassName: persistence.storageClassName,
            resources: { requests: { storage: String(persistence.volumeSize ?? NATS_DEFAULTS.volumeSize) } },
          }),
        },
      ],
    },
  };
  return [configMap, service, statefulSet];
}
