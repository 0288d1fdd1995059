import { type ApiClient, segment } from '../git-hooks/api-client.ts';
import { hookCollection } from '../git-hooks/hook-collection.ts';
import { type HookProvider, sameEvents } from '../git-hooks/reconcile.ts';

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
  const target = (owner: string, slug: string) => {
    const path = `repositories/${segment(owner)}/${segment(slug)}/hooks`;
    return hookCollection<CloudHook>(client, {
      name: `repository ${owner}/${slug}`,
      path,
      list: (signal) => cloudPages(client, `${path}?pagelen=100`, signal),
      id: (hook) => hook.uuid,
      url: (hook) => hook.url ?? '',
      current: (hook) => hook.active !== false && sameEvents(hook.events, spec.events),
      create: body,
      update: { method: 'PUT', body },
    });
  };
  const targets = spec.repositories.map((r) => target(r.owner, r.repositorySlug));
  return { url: spec.url, targets: async () => targets };
}

/** Every item of a paged Bitbucket Cloud list, following each page's `next` link. */
async function cloudPages<T>(client: ApiClient, first: string, signal: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let path: string | undefined = first;
  while (path) {
    const page: { data: { values?: T[]; next?: string } | null } = await client.request(
      'GET',
      path,
      undefined,
      signal,
    );
    const { data } = page;
    items.push(...(data?.values ?? []));
    path = data?.next;
  }
  return items;
}
