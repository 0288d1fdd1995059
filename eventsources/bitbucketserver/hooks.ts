import { type ApiClient, ignoreNotFound, segment } from '../git-hooks/api-client.ts';
import { type HookProvider, type HookTarget, sameEvents } from '../git-hooks/reconcile.ts';

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
  const target = (projectKey: string, slug: string): HookTarget => {
    const base = `api/1.0/projects/${segment(projectKey)}/repos/${segment(slug)}/webhooks`;
    return {
      name: `repository ${projectKey}/${slug}`,
      async list(signal) {
        const hooks = await allPages<ServerHook>(client, base, signal);
        return hooks.map((h) => ({
          id: String(h.id),
          url: h.url ?? '',
          current: h.active !== false && sameEvents(h.events, spec.events),
        }));
      },
      async create(signal) {
        const { data } = await client.request<ServerHook>('POST', base, body, signal);
        return String(data.id);
      },
      async update(id, signal) {
        await client.request('PUT', `${base}/${segment(id)}`, body, signal);
      },
      async remove(id, signal) {
        await client.request('DELETE', `${base}/${segment(id)}`, undefined, signal).catch(ignoreNotFound);
      },
    };
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
