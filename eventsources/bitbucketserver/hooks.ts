import { type ApiClient, segment } from '../git-hooks/api-client.ts';
import { hookCollection } from '../git-hooks/hook-collection.ts';
import { type HookProvider, sameEvents } from '../git-hooks/reconcile.ts';

/** What the Bitbucket Server source's hooks should say. */
export interface BitbucketServerHookSpec {
  url: string;
  events: string[];
  secret?: string;
  repositories: Array<{ projectKey: string; repositorySlug: string }>;
  /** Every repository of these projects is hooked too (listed again at each check). */
  projects: string[];
}

interface ServerHook {
  id: number;
  url?: string;
  active?: boolean;
  events?: string[];
}

interface Page<T> {
  values?: T[];
  isLastPage?: boolean;
  nextPageStart?: number;
}

/** Every item of a paged Bitbucket Server list (`?start=&limit=`). */
export async function allPages<T>(client: ApiClient, path: string, signal: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let start = 0;
  for (;;) {
    const separator = path.includes('?') ? '&' : '?';
    const { data } = await client.request<Page<T>>(
      'GET',
      `${path}${separator}limit=100&start=${start}`,
      undefined,
      signal,
    );
    items.push(...(data?.values ?? []));
    if (data?.isLastPage !== false || data.nextPageStart === undefined) return items;
    start = data.nextPageStart;
  }
}

/**
 * Bitbucket Server's repository hooks (`/api/1.0/projects/{key}/repos/{slug}/webhooks`, under the
 * `bitbucketserverBaseURL` that ends in `/rest`): one per repository, found by its URL.
 */
export function bitbucketServerHooks(client: ApiClient, spec: BitbucketServerHookSpec): HookProvider {
  const body = {
    name: 'Impulse',
    url: spec.url,
    active: true,
    events: spec.events,
    ...(spec.secret ? { configuration: { secret: spec.secret } } : {}),
  };
  const target = (projectKey: string, slug: string) => {
    const path = `api/1.0/projects/${segment(projectKey)}/repos/${segment(slug)}/webhooks`;
    return hookCollection<ServerHook>(client, {
      name: `repository ${projectKey}/${slug}`,
      path,
      list: (signal) => allPages(client, path, signal),
      id: (hook) => String(hook.id),
      url: (hook) => hook.url ?? '',
      current: (hook) => hook.active !== false && sameEvents(hook.events, spec.events),
      create: body,
      update: { method: 'PUT', body },
    });
  };
  return {
    url: spec.url,
    async targets(signal) {
      const repositories = [...spec.repositories];
      for (const project of spec.projects) {
        const repos = await allPages<{ slug: string }>(
          client,
          `api/1.0/projects/${segment(project)}/repos`,
          signal,
        );
        for (const r of repos) repositories.push({ projectKey: project, repositorySlug: r.slug });
      }
      return repositories.map((r) => target(r.projectKey, r.repositorySlug));
    },
  };
}
