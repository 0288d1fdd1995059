import { type ApiClient, ignoreNotFound, segment } from '../git-hooks/api-client.ts';
import { type HookProvider, type HookTarget, sameEvents } from '../git-hooks/reconcile.ts';

/** What the Bitbucket Cloud source's hooks should say. */
export interface BitbucketHookSpec {
  url: string;
  events: string[];
  secret?: string;
  repositories: Array<{ owner: string; repositorySlug: string }>;
}

interface CloudHook {
  uuid: string;
  url?: string;
  active?: boolean;
  events?: string[];
}

/**
 * Bitbucket Cloud's repository hooks (`/2.0/repositories/{workspace}/{slug}/hooks`): one per
 * repository, found by its URL and updated in place (Argo Events deletes and recreates it).
 */
export function bitbucketHooks(client: ApiClient, spec: BitbucketHookSpec): HookProvider {
  const body = {
    description: 'webhook managed by Impulse',
    url: spec.url,
    active: true,
    events: spec.events,
    ...(spec.secret ? { secret: spec.secret } : {}),
  };
  const target = (owner: string, slug: string): HookTarget => {
    const base = `repositories/${segment(owner)}/${segment(slug)}/hooks`;
    return {
      name: `repository ${owner}/${slug}`,
      async list(signal) {
        const hooks: CloudHook[] = [];
        let path: string | undefined = `${base}?pagelen=100`;
        while (path) {
          const page: { data: { values?: CloudHook[]; next?: string } | null } = await client.request(
            'GET',
            path,
            undefined,
            signal,
          );
          const { data } = page;
          hooks.push(...(data?.values ?? []));
          path = data?.next;
        }
        return hooks.map((h) => ({
          id: h.uuid,
          url: h.url ?? '',
          current: h.active !== false && sameEvents(h.events, spec.events),
        }));
      },
      async create(signal) {
        const { data } = await client.request<CloudHook>('POST', base, body, signal);
        return data.uuid;
      },
      async update(id, signal) {
        await client.request('PUT', `${base}/${segment(id)}`, body, signal);
      },
      async remove(id, signal) {
        await client.request('DELETE', `${base}/${segment(id)}`, undefined, signal).catch(ignoreNotFound);
      },
    };
  };
  const targets = spec.repositories.map((r) => target(r.owner, r.repositorySlug));
  return { url: spec.url, targets: async () => targets };
}
