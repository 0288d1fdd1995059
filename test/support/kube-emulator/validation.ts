import {
  arr,
  deepEqual,
  isObject,
  type Json,
  type JsonObject,
  type KubeObject,
  obj,
  str,
  stringMap,
} from './json.ts';
import type { ResourceType } from './resources.ts';
import type { StatusCause } from './status.ts';

/**
 * The part of the API server's validation that tests of controllers and sync engines run into:
 * object names, labels, annotations, finalizers, owner references, the shape of workloads, the
 * size of ConfigMaps and Secrets, and the immutable fields people actually trip over.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_DATA = 1024 * 1024;
const DNS_LABEL_KINDS = new Set(['Namespace', 'Service']);
const PATH_SEGMENT_KINDS = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

const required = (field: string): StatusCause => ({
  reason: 'FieldValueRequired',
  message: 'Required value',
  field,
});
const invalid = (field: string, value: Json | undefined, why: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  message: `Invalid value: ${JSON.stringify(value ?? null)}: ${why}`,
  field,
});
const forbidden = (field: string, why: string): StatusCause => ({
  reason: 'FieldValueForbidden',
  message: `Forbidden: ${why}`,
  field,
});

export function validateName(type: ResourceType, name: string): StatusCause[] {
  if (PATH_SEGMENT_KINDS.has(type.kind)) {
    return name === '.' || name === '..' || /[/%]/.test(name)
      ? [invalid('metadata.name', name, 'may not contain "/" or "%"')]
      : [];
  }
  if (DNS_LABEL_KINDS.has(type.kind)) {
    return DNS_LABEL.test(name) && name.length <= 63
      ? []
      : [
          invalid(
            'metadata.name',
            name,
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          ),
        ];
  }
  return DNS_SUBDOMAIN.test(name) && name.length <= 253
    ? []
    : [
        invalid(
          'metadata.name',
          name,
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        ),
      ];
}

function validateMetadata(
  type: ResourceType,
  next: KubeObject,
  previous: KubeObject | undefined,
): StatusCause[] {
  const meta = next.metadata;
  const causes = validateName(type, str(meta, 'name') ?? '');
  for (const [key, value] of Object.entries(stringMap(meta, 'labels'))) {
    if (!QUALIFIED_NAME.test(key) || key.split('/').pop()!.length > 63)
      causes.push(invalid('metadata.labels', key, 'name part must consist of alphanumeric characters'));
    if (!LABEL_VALUE.test(value) || value.length > 63)
      causes.push(
        invalid(
          'metadata.labels',
          value,
          'a valid label must be an empty string or consist of alphanumeric characters',
        ),
      );
  }
  for (const key of Object.keys(stringMap(meta, 'annotations'))) {
    if (!QUALIFIED_NAME.test(key))
      causes.push(invalid('metadata.annotations', key, 'name part must consist of alphanumeric characters'));
  }
  const finalizers = (arr(meta, 'finalizers') ?? []).map(String);
  for (const f of finalizers)
    if (!QUALIFIED_NAME.test(f))
      causes.push(invalid('metadata.finalizers', f, 'name part must consist of alphanumeric characters'));
  if (previous?.metadata.deletionTimestamp) {
    const before = new Set((arr(previous.metadata, 'finalizers') ?? []).map(String));
    const added = finalizers.filter((f) => !before.has(f));
    if (added.length > 0) {
      causes.push(
        forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        ),
      );
    }
  }
  (arr(meta, 'ownerReferences') ?? []).forEach((ref, i) => {
    for (const field of ['apiVersion', 'kind', 'name', 'uid']) {
      if (!isObject(ref) || typeof ref[field] !== 'string' || ref[field] === '')
        causes.push(required(`metadata.ownerReferences[${i}].${field}`));
    }
  });
  return causes;
}

function selectorMatches(selector: JsonObject, labels: Record<string, string>): boolean {
  const matchLabels = stringMap(selector, 'matchLabels');
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return (arr(selector, 'matchExpressions') ?? []).every((e) => {
    if (!isObject(e)) return true;
    const key = str(e, 'key') ?? '';
    const values = (arr(e, 'values') ?? []).map(String);
    const has = Object.hasOwn(labels, key);
    switch (e.operator) {
      case 'In':
        return has && values.includes(labels[key] ?? '');
      case 'NotIn':
        return !has || !values.includes(labels[key] ?? '');
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}

function validatePodSpec(spec: JsonObject | undefined, field: string): StatusCause[] {
  const containers = arr(spec, 'containers');
  if (!containers || containers.length === 0) return [required(`${field}.containers`)];
  const causes: StatusCause[] = [];
  containers.forEach((c, i) => {
    const cobj = isObject(c) ? c : {};
    if (!str(cobj, 'name')) causes.push(required(`${field}.containers[${i}].name`));
    if (!str(cobj, 'image')) causes.push(required(`${field}.containers[${i}].image`));
  });
  return causes;
}

function validateWorkload(next: KubeObject, previous: KubeObject | undefined): StatusCause[] {
  const spec = obj(next, 'spec');
  const selector = obj(spec, 'selector');
  const template = obj(spec, 'template');
  const causes = validatePodSpec(obj(template, 'spec'), 'spec.template.spec');
  if (!selector) causes.push(required('spec.selector'));
  else {
    const labels = stringMap(obj(template, 'metadata'), 'labels');
    if (!selectorMatches(selector, labels)) {
      causes.push(
        invalid(
          'spec.template.metadata.labels',
          JSON.stringify(labels),
          '`selector` does not match template `labels`',
        ),
      );
    }
    const before = obj(obj(previous, 'spec'), 'selector');
    if (previous && !deepEqual(before, selector))
      causes.push(invalid('spec.selector', JSON.stringify(selector), 'field is immutable'));
  }
  return causes;
}

function dataSize(data: JsonObject | undefined): number {
  return Object.entries(data ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
}

function validateData(next: KubeObject, previous: KubeObject | undefined, base64: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const data = obj(next, 'data');
  const binary = obj(next, 'binaryData');
  for (const key of [...Object.keys(data ?? {}), ...Object.keys(binary ?? {})]) {
    if (!CONFIG_KEY.test(key))
      causes.push(
        invalid(
          `data[${key}]`,
          key,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        ),
      );
  }
  if (base64) {
    for (const [key, value] of Object.entries(data ?? {})) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
        causes.push(invalid(`data[${key}]`, value, 'illegal base64 data'));
    }
  }
  if (dataSize(data) + dataSize(binary) > MAX_DATA)
    causes.push({
      reason: 'FieldValueTooLong',
      message: `Too long: must have at most ${MAX_DATA} bytes`,
      field: '',
    });
  if (previous?.immutable === true) {
    if (!deepEqual(previous.data, next.data) || !deepEqual(previous.binaryData, next.binaryData)) {
      causes.push(forbidden('data', 'field is immutable when `immutable` is set'));
    }
    if (next.immutable !== true)
      causes.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  }
  return causes;
}

const KIND_RULES: Record<string, (next: KubeObject, previous: KubeObject | undefined) => StatusCause[]> = {
  Deployment: validateWorkload,
  ReplicaSet: validateWorkload,
  StatefulSet: validateWorkload,
  DaemonSet: validateWorkload,
  Pod: (next) => validatePodSpec(obj(next, 'spec'), 'spec'),
  Job: (next) => {
    const podSpec = obj(obj(obj(next, 'spec'), 'template'), 'spec');
    const causes = validatePodSpec(podSpec, 'spec.template.spec');
    const policy = str(podSpec, 'restartPolicy');
    if (policy !== 'Never' && policy !== 'OnFailure') {
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(policy ?? '')}: supported values: "OnFailure", "Never"`,
        field: 'spec.template.spec.restartPolicy',
      });
    }
    return causes;
  },
  CronJob: (next) => (str(obj(next, 'spec'), 'schedule') ? [] : [required('spec.schedule')]),
  ConfigMap: (next, previous) => validateData(next, previous, false),
  Secret: (next, previous) => validateData(next, previous, true),
  Service: (next, previous) => {
    const spec = obj(next, 'spec');
    const causes: StatusCause[] = [];
    const type = str(spec, 'type');
    const headless = str(spec, 'clusterIP') === 'None';
    if (type !== 'ExternalName' && !headless && (arr(spec, 'ports') ?? []).length === 0)
      causes.push(required('spec.ports'));
    const before = str(obj(previous, 'spec'), 'clusterIP');
    if (before && str(spec, 'clusterIP') !== before)
      causes.push(invalid('spec.clusterIP', str(spec, 'clusterIP'), 'field is immutable'));
    return causes;
  },
};

/** Every validation failure of a write, as Status causes (empty when the object is valid). */
export function validateObject(
  type: ResourceType,
  next: KubeObject,
  previous: KubeObject | undefined,
): StatusCause[] {
  const causes = validateMetadata(type, next, previous);
  if (!type.custom && type.group !== 'apiextensions.k8s.io')
    causes.push(...(KIND_RULES[type.kind]?.(next, previous) ?? []));
  return causes;
}
