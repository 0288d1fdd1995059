import { type ApiClient, ignoreNotFound, segment } from '../git-hooks/api-client.ts';
import { type HookProvider, type HookTarget, sameEvents } from '../git-hooks/reconcile.ts';

/** What the GitHub source's hooks should say. */
export interface GithubHookSpec {
  url: string;
  events: string[];
  active: boolean;
  /** `json` or `form`; GitHub's default (form) when unset, as in Argo Events. */
  contentType?: string;
  insecure: boolean;
  secret?: string;
  repositories: Array<{ owner: string; names: string[] }>;
  organizations: string[];
}

interface GithubHook {
  id: number;
  active?: boolean;
  events?: string[];
  config?: { url?: string; content_type?: string; insecure_ssl?: string };
}

/**
 * GitHub's repository and organization hooks (`/repos/{owner}/{repo}/hooks`,
 * `/orgs/{org}/hooks`): one `web` hook per target, found by its URL.
 */
export function githubHooks(client: ApiClient, spec: GithubHookSpec): HookProvider {
  const insecure = spec.insecure ? '1' : '0';
  const config = {
    url: spec.url,
    insecure_ssl: insecure,
    ...(spec.contentType ? { content_type: spec.contentType } : {}),
    ...(spec.secret ? { secret: spec.secret } : {}),
  };
  const body = { name: 'web', active: spec.active, events: spec.events, config };
  const current = (hook: GithubHook) =>
    hook.active === spec.active &&
    (sameEvents(hook.events, spec.events) || (!!hook.events?.includes('*') && spec.events.includes('*'))) &&
    (spec.contentType === undefined || hook.config?.content_type === spec.contentType) &&
    (hook.config?.insecure_ssl ?? '0') === insecure;

  const target = (name: string, base: string): HookTarget => ({
    name,
    async list(signal) {
      const { data } = await client.request<GithubHook[]>(
        'GET',
        `${base}/hooks?per_page=100`,
        undefined,
        signal,
      );
      return (data ?? []).map((h) => ({ id: String(h.id), url: h.config?.url ?? '', current: current(h) }));
    },
    async create(signal) {
      const { data } = await client.request<GithubHook>('POST', `${base}/hooks`, body, signal);
      return String(data.id);
    },
    async update(id, signal) {
      await client.request('PATCH', `${base}/hooks/${segment(id)}`, body, signal);
    },
    async remove(id, signal) {
      await client.request('DELETE', `${base}/hooks/${segment(id)}`, undefined, signal).catch(ignoreNotFound);
    },
  });

  const targets: HookTarget[] = [
    ...spec.organizations.map((org) => target(`organization ${org}`, `orgs/${segment(org)}`)),
    ...spec.repositories.flatMap((r) =>
      r.names.map((n) => target(`repository ${r.owner}/${n}`, `repos/${segment(r.owner)}/${segment(n)}`)),
    ),
  ];
  return { url: spec.url, targets: async () => targets };
}
