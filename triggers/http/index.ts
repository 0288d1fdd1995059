import { ImpulseError } from '../../core/errors.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import type { HTTPTrigger, TLSConfig } from '../../crds/index.ts';
import { applyParameters, constructPayload } from '../params/index.ts';
import type { Firing, TriggerContext, TriggerDriver, TriggerFactory, TriggerOutcome } from '../types.ts';
import { createAgents, type HttpRequest, type HttpResponse, redact, sendRequest } from './request.ts';

/** Statuses worth retrying: the server may answer differently later. */
const RETRYABLE = new Set([408, 425, 429]);

/**
 * The `http` trigger: one request per firing. The body is built from `payload`, `parameters` patch
 * the http block (url, headers, ...), and the firing id goes out as `Idempotency-Key`. Without
 * `policy.status.allow`, 2xx is success, 408/425/429 and 5xx are retried, other statuses are
 * permanent failures (Argo Events treats every answer as success).
 */
export const createHttpTrigger: TriggerFactory = ({ trigger, secrets }) => {
  const spec = trigger.template.http;
  if (!spec) throw new ImpulseError('INVALID_MANIFEST', `trigger ${trigger.template.name} has no http block`);
  const agents = createAgents(tlsOptions(spec.tls, secrets));
  const allow = trigger.policy?.status?.allow;
  const fixedHeaders = staticHeaders(spec, secrets);

  const driver: TriggerDriver<HTTPTrigger> = {
    async execute(template: HTTPTrigger, firing: Firing, _ctx: TriggerContext): Promise<TriggerOutcome> {
      const request = buildHttpRequest(template, firing);
      const { url, method } = request;
      const headers = { ...request.headers, ...fixedHeaders };
      const response = await sendRequest({ ...request, headers }, agents);
      judge(response, url, method, allow);
      return { status: 'succeeded', detail: { status: response.status } };
    },
    async close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
  return driver as TriggerDriver;
};

/**
 * The request a firing makes, before secrets are added: the http block patched by its `parameters`,
 * the body from `payload`, the fixed and dynamic headers, and the firing id as `Idempotency-Key`.
 * `impulse test-sensor` shows this without sending it.
 */
export function buildHttpRequest(template: HTTPTrigger, firing: Firing): HttpRequest {
  const resolved = applyParameters(template, template.parameters, firing.events);
  let url: URL;
  try {
    url = new URL(resolved.url);
  } catch {
    throw new ImpulseError('INVALID_INPUT', `http trigger: "${resolved.url}" is not a valid URL`);
  }
  const method = resolved.method ?? 'POST';
  const body = method === 'GET' ? undefined : constructPayload(resolved.payload, firing.events);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'idempotency-key': firing.id,
    ...resolved.headers,
  };
  if (resolved.dynamicHeaders) {
    const dynamic = applyParameters({} as Record<string, unknown>, resolved.dynamicHeaders, firing.events);
    for (const [name, value] of Object.entries(dynamic)) headers[name] = String(value);
  }
  if (resolved.host) headers.host = resolved.host;
  return { url, method, headers, body, timeoutMs: (resolved.timeout ?? 60) * 1000 };
}

function judge(response: HttpResponse, url: URL, method: string, allow: readonly number[] | undefined): void {
  const { status } = response;
  const where = `${method} ${redact(url)} answered ${status}`;
  const excerpt = response.body ? `: ${response.body.slice(0, 200)}` : '';
  if (allow && allow.length > 0) {
    if (allow.includes(status)) return;
    throw new ImpulseError(
      'PERMANENT',
      `${where}, which policy.status.allow (${allow.join(', ')}) does not accept${excerpt}`,
      {
        details: { status },
      },
    );
  }
  if (status >= 200 && status < 300) return;
  const code = status >= 500 || RETRYABLE.has(status) ? 'TRANSIENT' : 'PERMANENT';
  throw new ImpulseError(code, `${where}${excerpt}`, { details: { status } });
}

function staticHeaders(spec: HTTPTrigger, secrets: SecretResolver): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of spec.secureHeaders ?? []) {
    const ref = header.valueFrom.secretKeyRef;
    if (!ref) {
      throw new ImpulseError(
        'UNSUPPORTED',
        `http trigger secureHeaders ${header.name}: configMapKeyRef is not supported yet; use secretKeyRef`,
      );
    }
    headers[header.name.toLowerCase()] = secrets.get(ref);
  }
  const { username, password } = spec.basicAuth ?? {};
  if (username || password) {
    const user = username ? secrets.get(username) : '';
    const pass = password ? secrets.get(password) : '';
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  return headers;
}

function tlsOptions(tls: TLSConfig | undefined, secrets: SecretResolver) {
  if (!tls) return {};
  return {
    ca: tls.caCertSecret ? secrets.get(tls.caCertSecret) : undefined,
    cert: tls.clientCertSecret ? secrets.get(tls.clientCertSecret) : undefined,
    key: tls.clientKeySecret ? secrets.get(tls.clientKeySecret) : undefined,
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
}
