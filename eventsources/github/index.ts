import { ImpulseError } from '../../core/errors.ts';
import { createApiClient } from '../git-hooks/api-client.ts';
import { deliveryJson, gitHeaders, gitPayload, headerValue, wanted } from '../git-hooks/payload.ts';
import { createGitReceiver, notInEvents, publishOne, type Verdict } from '../git-hooks/receiver.ts';
import { hookUrl } from '../git-hooks/reconcile.ts';
import type { WebhookRequest } from '../http/route.ts';
import {
  readOptionalSecret,
  readSharedSecret,
  type SignatureCheck,
  signatureCheck,
} from '../http/signature.ts';
import { resolveWebhookContext } from '../http/webhook-context.ts';
import type { EventSourceDriver, SourceConfig, SourceInit } from '../types.ts';
import { githubAppAuth } from './app-auth.ts';
import { githubHooks } from './hooks.ts';

export type { GitPayload as GithubPayload } from '../git-hooks/payload.ts';

const GITHUB_API = 'https://api.github.com/';

/**
 * The `github` source: GitHub webhook deliveries on the port's shared server, with Argo Events'
 * payload `{headers, body, metadata}`, where `body` is the delivery's JSON (or the `payload` field
 * of a form-encoded one) with the `X-GitHub-Event` and `X-GitHub-Delivery` header values copied in.
 *
 * With `webhookSecret`, `X-Hub-Signature-256` (or, when only it is sent, the SHA-1
 * `X-Hub-Signature`) must match the raw body: 401 when neither is sent, 403 when it does not
 * match, compared in constant time. A `ping`, or an event not in `events` (`*` takes all), is
 * answered 200 and not published. `X-GitHub-Delivery` is the event id, so a redelivery is stored
 * once. With `apiToken` or `githubApp` and `webhook.url`, the hooks are created or updated on the
 * repositories and organizations (see `git-hooks/manager`).
 */
export function createGithubSource(init: SourceInit<SourceConfig<'github'>>): EventSourceDriver {
  const { config, path, secrets } = init;
  const context = resolveWebhookContext(config.webhook, `${path}.webhook`, secrets);
  const secret = readOptionalSecret(secrets, config.webhookSecret, `${path}.webhookSecret`);
  const checks = secret ? signatureChecks(secret) : undefined;
  const events = config.events;

  const accept = (request: WebhookRequest): Verdict => {
    const event = headerValue(request, 'x-github-event');
    const delivery = headerValue(request, 'x-github-delivery') || undefined;
    if (checks) {
      const check = request.headers['x-hub-signature-256'] !== undefined ? checks.sha256 : checks.sha1;
      const refusal = check.verify(request.body, request.headers);
      if (refusal) return { kind: 'refuse', ...refusal, ...(delivery ? { delivery } : {}) };
    }
    if (event === 'ping')
      return { kind: 'skip', reason: 'a ping is not published', ...(delivery ? { delivery } : {}) };
    if (!wanted(events, event)) return notInEvents(event, 'X-GitHub-Event', delivery);
    const body = deliveryJson(request, { form: true });
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ImpulseError('INVALID_INPUT', 'a GitHub delivery must be a JSON object');
    }
    // As Argo Events does: the two header values, under these exact keys, in the body.
    const record = body as Record<string, unknown>;
    record['X-GitHub-Event'] = event;
    record['X-GitHub-Delivery'] = delivery ?? '';
    return publishOne(gitPayload(gitHeaders(request), record, config.metadata), delivery);
  };

  return createGitReceiver({
    init: init as SourceInit<unknown>,
    context,
    type: 'github',
    ...(checks
      ? {
          authorize: (head) =>
            head.headers['x-hub-signature-256'] === undefined && head.headers['x-hub-signature'] === undefined
              ? { status: 401, reason: 'missing signature header X-Hub-Signature-256 (or X-Hub-Signature)' }
              : undefined,
        }
      : {}),
    accept,
    ...hookManagement(init, secret),
  });
}

function signatureChecks(secret: string): { sha256: SignatureCheck; sha1: SignatureCheck } {
  return {
    sha256: signatureCheck(secret, { header: 'X-Hub-Signature-256', algorithm: 'sha256', prefix: 'sha256=' }),
    sha1: signatureCheck(secret, { header: 'X-Hub-Signature', algorithm: 'sha1', prefix: 'sha1=' }),
  };
}

/** Hooks are managed with credentials (`apiToken`, else `githubApp`) and `webhook.url`, as in Argo. */
function hookManagement(init: SourceInit<SourceConfig<'github'>>, secret: string | undefined) {
  const { config, path, secrets } = init;
  const url = config.webhook.url;
  if (!url || (!config.apiToken && !config.githubApp)) return {};
  const baseUrl = config.githubBaseURL || GITHUB_API;
  let auth: () => Promise<Record<string, string>> | Record<string, string>;
  if (config.apiToken) {
    const token = readSharedSecret(secrets, config.apiToken, `${path}.apiToken`);
    auth = () => ({ authorization: `Bearer ${token}` });
  } else {
    const app = config.githubApp!;
    auth = githubAppAuth({
      appId: app.appID,
      installationId: app.installationID,
      privateKey: readSharedSecret(secrets, app.privateKey, `${path}.githubApp.privateKey`),
      baseUrl,
    });
  }
  const repositories = config.repositories?.length
    ? config.repositories
    : config.owner && config.repository
      ? [{ owner: config.owner, names: [config.repository] }]
      : [];
  const provider = githubHooks(createApiClient({ baseUrl, what: 'GitHub API', auth }), {
    url: hookUrl(url, config.webhook.endpoint),
    events: config.events ?? [],
    active: config.active ?? true,
    insecure: config.insecure ?? false,
    repositories,
    organizations: config.organizations ?? [],
    ...(config.contentType ? { contentType: config.contentType } : {}),
    ...(secret ? { secret } : {}),
  });
  return { hooks: { provider, deleteOnFinish: config.deleteHookOnFinish ?? false } };
}
