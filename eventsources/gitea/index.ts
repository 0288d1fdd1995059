import { createApiClient } from '../git-hooks/api-client.ts';
import { deliveryJson, gitHeaders, gitPayload, headerValue, wanted } from '../git-hooks/payload.ts';
import { createGitReceiver, notInEvents, publishOne, type Verdict } from '../git-hooks/receiver.ts';
import { hookUrl } from '../git-hooks/reconcile.ts';
import type { WebhookRequest } from '../http/route.ts';
import { readOptionalSecret, readSharedSecret, signatureCheck } from '../http/signature.ts';
import { resolveWebhookContext } from '../http/webhook-context.ts';
import type { EventSourceDriver, SourceConfig, SourceInit } from '../types.ts';
import { giteaHooks } from './hooks.ts';

/**
 * The `gitea` source (Impulse; Argo Events has none): Gitea or Forgejo deliveries with the payload
 * the other Git providers have, `{headers, body, metadata}`. With `webhookSecret`,
 * `X-Gitea-Signature` (HMAC-SHA256 of the raw body, hex) must match: 401 when missing, 403 when
 * wrong. `X-Gitea-Event` or `X-Gitea-Event-Type` must be one of `events` (empty: all), else 200
 * and not published. `X-Gitea-Delivery` is the event id. A form-encoded delivery is read from its
 * `payload` field. With `apiToken`, `giteaBaseURL` and `webhook.url`, the hooks are created or
 * updated on the repositories and organizations.
 */
export function createGiteaSource(init: SourceInit<SourceConfig<'gitea'>>): EventSourceDriver {
  const { config, path, secrets } = init;
  const context = resolveWebhookContext(config.webhook, `${path}.webhook`, secrets);
  const secret = readOptionalSecret(secrets, config.webhookSecret, `${path}.webhookSecret`);
  const check = secret
    ? signatureCheck(secret, { header: 'X-Gitea-Signature', algorithm: 'sha256' })
    : undefined;

  const accept = (request: WebhookRequest): Verdict => {
    const event = headerValue(request, 'x-gitea-event');
    const eventType = headerValue(request, 'x-gitea-event-type');
    const delivery = headerValue(request, 'x-gitea-delivery') || undefined;
    const where = delivery ? { delivery } : {};
    const refusal = check?.verify(request.body, request.headers);
    if (refusal) return { kind: 'refuse', ...refusal, ...where };
    if (!wanted(config.events, event, eventType)) return notInEvents(event, 'X-Gitea-Event', delivery);
    const body = deliveryJson(request, { form: true });
    return publishOne(gitPayload(gitHeaders(request), body, config.metadata), delivery);
  };

  return createGitReceiver({
    init: init as SourceInit<unknown>,
    context,
    type: 'gitea',
    ...(check ? { authorize: (head) => check.present(head.headers) } : {}),
    accept,
    ...hookManagement(init, secret),
  });
}

/** With `apiToken`, `giteaBaseURL` and `webhook.url` (validation says when one is missing). */
function hookManagement(init: SourceInit<SourceConfig<'gitea'>>, secret: string | undefined) {
  const { config, path, secrets } = init;
  if (!config.webhook.url || !config.apiToken || !config.giteaBaseURL) return {};
  const token = readSharedSecret(secrets, config.apiToken, `${path}.apiToken`);
  const client = createApiClient({
    baseUrl: `${config.giteaBaseURL.replace(/\/+$/, '')}/api/v1/`,
    what: 'Gitea API',
    auth: () => ({ authorization: `token ${token}` }),
  });
  const provider = giteaHooks(client, {
    url: hookUrl(config.webhook.url, config.webhook.endpoint),
    events: config.events?.length ? config.events : ['push'],
    active: config.active ?? true,
    contentType: config.contentType ?? 'json',
    repositories: config.repositories ?? [],
    organizations: config.organizations ?? [],
    ...(secret ? { secret } : {}),
  });
  return { hooks: { provider, deleteOnFinish: config.deleteHookOnFinish ?? false } };
}
