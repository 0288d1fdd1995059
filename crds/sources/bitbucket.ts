import { type Static, Type } from '@sinclair/typebox';
import { Metadata, SecretKeySelector, WebhookContext } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** A Bitbucket Cloud repository. */
export const BitbucketRepository = Obj({
  owner: Type.String({ minLength: 1, description: 'Workspace or user that owns the repository.' }),
  repositorySlug: Type.String({ minLength: 1, description: 'URL-safe repository name.' }),
});
export type BitbucketRepository = Static<typeof BitbucketRepository>;

/** Username and app password for Bitbucket Cloud. */
export const BitbucketBasicAuth = Obj({
  username: SecretKeySelector,
  password: SecretKeySelector,
});
export type BitbucketBasicAuth = Static<typeof BitbucketBasicAuth>;

/** How to authenticate against the Bitbucket API: basic auth or an OAuth bearer token. */
export const BitbucketAuth = Obj({
  basic: Opt(BitbucketBasicAuth),
  oauthToken: Opt(SecretKeySelector),
});
export type BitbucketAuth = Static<typeof BitbucketAuth>;

/** One `spec.bitbucket.<event>` entry: deliveries from Bitbucket Cloud repository webhooks. */
export const BitbucketEventSource = Obj(
  {
    deleteHookOnFinish: Opt(Type.Boolean({ description: 'Remove the hooks when the EventSource stops.' })),
    metadata: Opt(Metadata),
    webhook: WebhookContext,
    auth: BitbucketAuth,
    events: Opt(Type.Array(Type.String(), { description: 'Bitbucket event keys, e.g. `repo:push`.' })),
    owner: Opt(Type.String({ description: 'Deprecated: use `repositories`. Owner of `repositorySlug`.' })),
    projectKey: Opt(Type.String({ description: 'Deprecated: use `repositories`.' })),
    repositorySlug: Opt(Type.String({ description: 'Deprecated: use `repositories`. A single repository.' })),
    repositories: Opt(Type.Array(BitbucketRepository, { description: 'Repositories to hook.' })),
    filter: Opt(EventSourceFilter),
    // Impulse: when set, deliveries must carry a matching X-Hub-Signature (Argo Events never checks).
    webhookSecret: Opt(SecretKeySelector),
  },
  'Bitbucket Cloud webhook deliveries; with credentials and `webhook.url`, the hooks are created too.',
);
export type BitbucketEventSource = Static<typeof BitbucketEventSource>;
