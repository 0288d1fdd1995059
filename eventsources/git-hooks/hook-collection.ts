import { type ApiClient, ignoreNotFound, segment } from './api-client.ts';
import type { HookTarget } from './reconcile.ts';

/** How one provider's hooks collection (`repos/o/r/hooks`) is read and written. */
export interface HookCollectionOptions<Hook> {
  /** For logs: `repository argoproj/argo-events`. */
  name: string;
  /** The collection, relative to the API root: hooks are created here, edited at `<path>/<id>`. */
  path: string;
  /** Every hook in the collection (one page, or all pages where the provider pages). */
  list(signal: AbortSignal): Promise<Hook[]>;
  /** A hook's id, as the API's paths name it. */
  id(hook: Hook): string;
  /** The URL a hook delivers to, how the keeper finds its own. */
  url(hook: Hook): string;
  /** Whether a hook already says what the manifest says. */
  current(hook: Hook): boolean;
  /** What a `POST` to the collection sends. */
  create: unknown;
  /** How a hook is brought up to date: GitHub and Gitea `PATCH`, the others `PUT`. */
  update: { method: 'PATCH' | 'PUT'; body: unknown };
}

/**
 * A hook target on a provider's REST collection of hooks, the layout every supported provider
 * shares: list the collection, `POST` to it to create, update and `DELETE` at `<path>/<id>` (a hook
 * already gone counts as deleted).
 */
export function hookCollection<Hook>(client: ApiClient, options: HookCollectionOptions<Hook>): HookTarget {
  const { path } = options;
  return {
    name: options.name,
    async list(signal) {
      const hooks = await options.list(signal);
      return hooks.map((h) => ({ id: options.id(h), url: options.url(h), current: options.current(h) }));
    },
    async create(signal) {
      const { data } = await client.request<Hook>('POST', path, options.create, signal);
      return options.id(data);
    },
    async update(id, signal) {
      await client.request(options.update.method, `${path}/${segment(id)}`, options.update.body, signal);
    },
    async remove(id, signal) {
      await client.request('DELETE', `${path}/${segment(id)}`, undefined, signal).catch(ignoreNotFound);
    },
  };
}

/** One `GET` of `path` (which carries the page size); an empty answer is an empty list. */
export async function singlePage<Hook>(
  client: ApiClient,
  path: string,
  signal: AbortSignal,
): Promise<Hook[]> {
  const { data } = await client.request<Hook[] | null>('GET', path, undefined, signal);
  return data ?? [];
}

/** Where GitHub and Gitea (which copies GitHub's API) keep hooks: organizations and repositories. */
export interface OwnerHookSpec {
  organizations: string[];
  repositories: Array<{ owner: string; names: string[] }>;
}

/**
 * The targets of GitHub's layout: `orgs/{org}` for each organization, then `repos/{owner}/{repo}`
 * for each repository; `target` makes one from its name and that base path.
 */
export function ownerTargets(
  spec: OwnerHookSpec,
  target: (name: string, base: string) => HookTarget,
): HookTarget[] {
  return [
    ...spec.organizations.map((org) => target(`organization ${org}`, `orgs/${segment(org)}`)),
    ...spec.repositories.flatMap((r) =>
      r.names.map((n) => target(`repository ${r.owner}/${n}`, `repos/${segment(r.owner)}/${segment(n)}`)),
    ),
  ];
}
