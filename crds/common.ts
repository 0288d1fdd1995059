import { type Static, Type } from '@sinclair/typebox';
import { AnyValue, Embedded, Enum, IntOrString, Obj, Opt, StringMap } from './schema-kit.ts';

/** Argo Events' `corev1.SecretKeySelector`: a key of a Kubernetes Secret. */
export const SecretKeySelector = Obj(
  {
    name: Type.String({ description: 'Name of the Secret.' }),
    key: Type.String({ description: 'Key in the Secret.' }),
    optional: Opt(Type.Boolean({ description: 'Whether a missing Secret or key is allowed.' })),
  },
  'A key of a Kubernetes Secret; resolves to <secrets dir>/<name>/<key>.',
);
export type SecretKeySelector = Static<typeof SecretKeySelector>;

/** `corev1.ConfigMapKeySelector`. */
export const ConfigMapKeySelector = Obj({
  name: Type.String(),
  key: Type.String(),
  optional: Opt(Type.Boolean()),
});
export type ConfigMapKeySelector = Static<typeof ConfigMapKeySelector>;

export const TLSConfig = Obj({
  caCertSecret: Opt(SecretKeySelector),
  clientCertSecret: Opt(SecretKeySelector),
  clientKeySecret: Opt(SecretKeySelector),
  insecureSkipVerify: Opt(Type.Boolean()),
  enabled: Opt(Type.Boolean()),
});
export type TLSConfig = Static<typeof TLSConfig>;

export const BasicAuth = Obj({
  username: Opt(SecretKeySelector),
  password: Opt(SecretKeySelector),
});
export type BasicAuth = Static<typeof BasicAuth>;

/** A number written as a YAML number (Argo's `Amount`), e.g. a backoff factor of 1.5. */
export const Amount = Type.Number();

/**
 * Argo's `Backoff`. `duration` is a Go duration string (`10s`) or a bare integer, which Argo reads as
 * nanoseconds.
 */
export const Backoff = Obj({
  duration: Opt(IntOrString('Go duration ("1s", "2m") or an integer number of nanoseconds.')),
  factor: Opt(Amount),
  jitter: Opt(Amount),
  steps: Opt(Type.Integer({ minimum: 0 })),
});
export type Backoff = Static<typeof Backoff>;

export const ObjectMetadata = Obj({
  labels: Opt(StringMap(Type.String())),
  annotations: Opt(StringMap(Type.String())),
});

export const Metadata = StringMap(Type.String(), 'Free-form string metadata added to each event.');

/** Argo's `WebhookContext`: the HTTP endpoint of a webhook-style source. */
export const WebhookContext = Obj({
  endpoint: Type.String({ description: 'URL path the events arrive on, e.g. /example.' }),
  method: Type.String({ description: 'HTTP method accepted, e.g. POST.' }),
  port: Type.String({ description: 'Port to listen on, as a string of digits.' }),
  url: Opt(Type.String({ description: 'External URL, used to register hooks with a provider.' })),
  serverCertSecret: Opt(SecretKeySelector),
  serverKeySecret: Opt(SecretKeySelector),
  metadata: Opt(Metadata),
  authSecret: Opt(SecretKeySelector),
  maxPayloadSize: Opt(
    Type.Integer({ minimum: 1, description: 'Largest request body in bytes.', default: 1048576 }),
  ),
});
export type WebhookContext = Static<typeof WebhookContext>;

/** The container settings Argo lets a user override. */
export const Container = Obj({
  resources: Opt(Embedded()),
  imagePullPolicy: Opt(Type.String()),
  securityContext: Opt(Embedded()),
  volumeMounts: Opt(Type.Array(Embedded())),
  env: Opt(Type.Array(Embedded())),
  envFrom: Opt(Type.Array(Embedded())),
});

/** Pod-level settings for the Deployment that runs an EventSource or Sensor. */
export const PodTemplate = Obj({
  metadata: Opt(ObjectMetadata),
  serviceAccountName: Opt(Type.String()),
  container: Opt(Container),
  volumes: Opt(Type.Array(Embedded())),
  securityContext: Opt(Embedded()),
  nodeSelector: Opt(StringMap(Type.String())),
  tolerations: Opt(Type.Array(Embedded())),
  imagePullSecrets: Opt(Type.Array(Embedded())),
  priorityClassName: Opt(Type.String()),
  priority: Opt(Type.Integer()),
  affinity: Opt(Embedded()),
});

export const Condition = Obj({
  type: Type.String(),
  status: Enum(['True', 'False', 'Unknown'] as const),
  lastTransitionTime: Opt(Type.String()),
  reason: Opt(Type.String()),
  message: Opt(Type.String()),
  observedGeneration: Opt(Type.Integer()),
});

export const Status = Obj({
  conditions: Opt(Type.Array(Condition)),
  observedGeneration: Opt(Type.Integer()),
});

/** Argo's S3 artifact location (k8s trigger source `s3`). */
export const S3Artifact = Obj({
  endpoint: Type.String(),
  bucket: Obj({ key: Opt(Type.String()), name: Type.String() }),
  region: Opt(Type.String()),
  insecure: Opt(Type.Boolean()),
  accessKey: Opt(SecretKeySelector),
  secretKey: Opt(SecretKeySelector),
  events: Opt(Type.Array(Type.String())),
  filter: Opt(Obj({ prefix: Opt(Type.String()), suffix: Opt(Type.String()) })),
  metadata: Opt(StringMap(Type.String())),
  caCertificate: Opt(SecretKeySelector),
});

/** Kubernetes `ObjectMeta` as far as manifests use it. */
export const ManifestMetadata = Type.Object(
  {
    name: Opt(Type.String()),
    generateName: Opt(Type.String()),
    namespace: Opt(Type.String()),
    labels: Opt(StringMap(Type.String())),
    annotations: Opt(StringMap(Type.String())),
  },
  { additionalProperties: true },
);

export { AnyValue, Embedded };
