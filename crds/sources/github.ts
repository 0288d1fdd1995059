import { type Static, Type } from '@sinclair/typebox';
import { Metadata, SecretKeySelector, WebhookContext } from '../common.ts';
import { Enum, Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** Repositories of one owner (a user or an organization). */
export const GithubRepositories = Obj({
  owner: Type.String({ minLength: 1, description: 'User or organization that owns the repositories.' }),
  names: Type.Array(Type.String({ minLength: 1 }), { description: 'Repository names under that owner.' }),
});
export type GithubRepositories = Static<typeof GithubRepositories>;

/** Credentials of a GitHub App, an alternative to `apiToken` for managing hooks. */
export const GithubAppCreds = Obj({
  privateKey: SecretKeySelector,
  appID: Type.Integer({ description: 'Numeric id of the GitHub App.' }),
  installationID: Type.Integer({ description: 'Numeric id of the App installation.' }),
});
export type GithubAppCreds = Static<typeof GithubAppCreds>;

/** One `spec.github.<event>` entry: deliveries from GitHub repository or organization webhooks. */
export const GithubEventSource = Obj(
  {
    id: Opt(Type.Integer({ description: 'Deprecated and unused by Argo Events.' })),
    webhook: WebhookContext,
    owner: Opt(Type.String({ description: 'Deprecated: use `repositories`. Owner of `repository`.' })),
    repository: Opt(
      Type.String({ description: 'Deprecated: use `repositories`. A single repository name.' }),
    ),
    events: Opt(
      Type.Array(Type.String(), {
        description: 'GitHub event names to subscribe the hook to (`push`, `pull_request`, `*`, ...).',
      }),
    ),
    apiToken: Opt(SecretKeySelector),
    webhookSecret: Opt(SecretKeySelector),
    insecure: Opt(
      Type.Boolean({ description: 'Let GitHub skip TLS verification when delivering to `url`.' }),
    ),
    active: Opt(Type.Boolean({ description: 'Whether the created hook delivers events.' })),
    contentType: Opt(Enum(['json', 'form'] as const, 'Payload encoding of the hook.')),
    githubBaseURL: Opt(Type.String({ description: 'API base URL of a GitHub Enterprise server.' })),
    githubUploadURL: Opt(Type.String({ description: 'Upload URL of a GitHub Enterprise server.' })),
    deleteHookOnFinish: Opt(Type.Boolean({ description: 'Remove the hook when the EventSource stops.' })),
    metadata: Opt(Metadata),
    repositories: Opt(Type.Array(GithubRepositories, { description: 'Repositories to receive hooks from.' })),
    organizations: Opt(
      Type.Array(Type.String(), { description: 'Organizations to receive organization-level hooks from.' }),
    ),
    githubApp: Opt(GithubAppCreds),
    filter: Opt(EventSourceFilter),
  },
  'GitHub webhook deliveries; with credentials and `webhook.url`, the hooks are created on GitHub too.',
);
export type GithubEventSource = Static<typeof GithubEventSource>;
