import type { SecretResolver } from '../core/secrets.ts';
import type {
  HTTPTrigger,
  NATSTrigger,
  StandardK8STrigger,
  Trigger,
  TriggerTemplate,
} from '../crds/index.ts';
import { buildHttpRequest } from './http/index.ts';
import { applyParameters, constructPayload } from './params/index.ts';
import { resolveTemplate } from './pipeline.ts';
import { triggers } from './registry.ts';
import type { Firing } from './types.ts';

/** What stands in for a secret in a preview. */
export const MASK = '***';

/** The request an `http` trigger would send. */
export interface HttpRequestPreview {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The body, parsed when it is JSON. */
  body?: unknown;
  timeoutSeconds: number;
}

/** What a trigger would do for one firing, fully resolved, without doing it. */
export interface TriggerPreview {
  type: string;
  /** The trigger template after the trigger-level `parameters`. */
  template: TriggerTemplate;
  /** `http`: the request. */
  request?: HttpRequestPreview;
  /** `k8s` and `argoWorkflow` with an inline `source.resource`: the object after `parameters`. */
  resource?: unknown;
  /** `k8s` and `argoWorkflow`: the operation (`create` when not given). */
  operation?: string;
  /** `gitops` and `argocd`: the block after its own `parameters`, as the trigger would run it. */
  block?: Record<string, unknown>;
  /** `nats`: the subject and the message body. */
  message?: { subject: string; payload?: unknown };
  /** Something the reader should know: a type this version cannot run, a resource not fetched. */
  note?: string;
}

/**
 * Resolves a trigger for one firing the way executing it would (trigger-level parameters, then the
 * type's own parameters and payload), without sending, creating or publishing anything. Values from
 * secrets (`secureHeaders`, `basicAuth`) are shown as `***`, and any secret value the resolver
 * has seen is masked wherever it appears. Throws what resolving throws (a bad URL, a parameter
 * that cannot be applied).
 */
export function previewTrigger(trigger: Trigger, firing: Firing, secrets: SecretResolver): TriggerPreview {
  const { template, type, spec } = resolveTemplate(trigger, firing);
  const preview: TriggerPreview = { type, template };
  if (!triggers[type]) {
    preview.note = `trigger type "${type}" is not implemented in this version of Impulse, so the sensor would not start; shown resolved`;
  }
  switch (type) {
    case 'http':
      preview.request = httpPreview(spec as HTTPTrigger, firing, secrets);
      break;
    case 'k8s':
    case 'argoWorkflow': {
      const k8s = spec as StandardK8STrigger;
      preview.operation = k8s.operation ?? (type === 'k8s' ? 'create' : 'submit');
      if (k8s.source?.resource !== undefined) {
        preview.resource = applyParameters(k8s.source.resource, k8s.parameters, firing.events);
      } else {
        const from = Object.keys(k8s.source ?? {}).join(', ') || 'nowhere';
        preview.note = [preview.note, `the resource comes from ${from}, which test-sensor does not fetch`]
          .filter(Boolean)
          .join('; ');
      }
      break;
    }
    case 'gitops':
    case 'argocd': {
      const own = spec as { parameters?: Parameters<typeof applyParameters>[1] };
      const { parameters: _applied, ...block } = applyParameters(own, own.parameters, firing.events);
      preview.block = block;
      break;
    }
    case 'nats': {
      const nats = applyParameters(spec as NATSTrigger, (spec as NATSTrigger).parameters, firing.events);
      const body = constructPayload(nats.payload, firing.events);
      preview.message = { subject: nats.subject, ...(body === undefined ? {} : { payload: parsed(body) }) };
      break;
    }
  }
  return maskKnownSecrets(preview, secrets.known);
}

function httpPreview(spec: HTTPTrigger, firing: Firing, secrets: SecretResolver): HttpRequestPreview {
  const request = buildHttpRequest(spec, firing);
  const headers = { ...request.headers };
  for (const header of spec.secureHeaders ?? []) {
    // Looked up only so that the value is known for masking; it is never shown.
    const ref = header.valueFrom.secretKeyRef;
    if (ref) secrets.find(ref);
    headers[header.name.toLowerCase()] = MASK;
  }
  const { username, password } = spec.basicAuth ?? {};
  if (username || password) {
    for (const ref of [username, password]) if (ref) secrets.find(ref);
    headers.authorization = `Basic ${MASK}`;
  }
  const url = new URL(request.url);
  if (url.password) url.password = MASK;
  return {
    method: request.method,
    url: url.toString(),
    headers,
    ...(request.body === undefined ? {} : { body: parsed(request.body) }),
    timeoutSeconds: request.timeoutMs / 1000,
  };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Replaces every secret value in `known` wherever it appears in the strings of `value`. Values of
 * three characters or fewer are only masked where a string is exactly the value, so that a short
 * secret does not blank out every word that contains it.
 */
export function maskKnownSecrets<T>(value: T, known: ReadonlySet<string>): T {
  const secrets = [...known].flatMap((s) => [s, s.trim()]).filter((s) => s !== '');
  if (secrets.length === 0) return value;
  const long = secrets.filter((s) => s.length > 3).sort((a, b) => b.length - a.length);
  const mask = (text: string): string => {
    if (secrets.includes(text)) return MASK;
    let out = text;
    for (const secret of long) out = out.split(secret).join(MASK);
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return mask(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [mask(k), walk(inner)]));
    }
    return v;
  };
  return walk(value) as T;
}
