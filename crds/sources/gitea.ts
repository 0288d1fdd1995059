import { type Static, Type } from '@sinclair/typebox';
import { Metadata, SecretKeySelector, WebhookContext } from '../common.ts';
import { Enum, Obj, Opt } from '../schema-kit.ts';
import { GithubRepositories } from './github.ts';
import { EventSourceFilter } from './shared.ts';

/**
 * One `spec.gitea.<event>` entry (Impulse; Argo Events has no Gitea source): deliveries from Gitea
 * (or Forgejo) repository or organization webhooks, shaped like the GitHub source's fields.
 */
export const GiteaEventSource = Obj(
  {
    webhook: WebhookContext,
    repositories: Opt(Type.Array(GithubRepositories, { description: 'Repositories to receive hooks from.' })),
    organizations: Opt(
      Type.Array(Type.String(), { description: 'Organizations to receive organization-level hooks from.' }),
    ),
    events: Opt(
      Type.Array(Type.String(), {
        description:
          'Gitea event names (`push`, `pull_request`, `release`, ...); others are answered 200 and not published. Empty: all.',
      }),
    ),
    webhookSecret: Opt(SecretKeySelector),
    apiToken: Opt(SecretKeySelector),
    giteaBaseURL: Opt(
      Type.String({
        description: 'Base URL of the Gitea server (e.g. https://gitea.example.com), for hooks.',
      }),
    ),
    contentType: Opt(Enum(['json', 'form'] as const, 'Payload encoding of the created hook.')),
    active: Opt(Type.Boolean({ description: 'Whether the created hook delivers events.' })),
    deleteHookOnFinish: Opt(Type.Boolean({ description: 'Remove the hooks when the EventSource stops.' })),
    metadata: Opt(Metadata),
    filter: Opt(EventSourceFilter),
  },
  'Gitea webhook deliveries, signed with X-Gitea-Signature; with `apiToken` and `webhook.url`, the hooks are created too.',
);
export type GiteaEventSource = Static<typeof GiteaEventSource>;
