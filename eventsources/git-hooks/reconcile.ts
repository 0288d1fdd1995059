import { ImpulseError, toImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';

/** A hook as the provider lists it. */
export interface RemoteHook {
  id: string;
  url: string;
  /** Whether its events, content type and activity already say what the manifest says. */
  current: boolean;
}

/** One place hooks live: a repository, a project, a group or an organization. */
export interface HookTarget {
  /** For logs: `repository argoproj/argo-events`. */
  name: string;
  list(signal: AbortSignal): Promise<RemoteHook[]>;
  /** Creates the hook; resolves with its id. */
  create(signal: AbortSignal): Promise<string>;
  update(id: string, signal: AbortSignal): Promise<void>;
  /** Deletes it; a hook that is already gone counts as deleted. */
  remove(id: string, signal: AbortSignal): Promise<void>;
}

/** What a provider gives the hook keeper: where the hooks go and the URL they deliver to. */
export interface HookProvider {
  /** The hook URL (`webhook.url` joined with `webhook.endpoint`), how existing hooks are found. */
  url: string;
  /** The targets; may ask the API (a Bitbucket Server project's repositories). */
  targets(signal: AbortSignal): Promise<HookTarget[]>;
}

/** Keeps one hook per target; remembers which it created or found, to delete them at the end. */
export interface HookKeeper {
  /**
   * Creates a missing hook and updates one whose settings differ. On the `first` pass every found
   * hook is updated, since a provider never lists the secret a hook signs with. Tries every target,
   * then rejects with every failure at once.
   */
  reconcile(first: boolean, signal: AbortSignal): Promise<void>;
  /** Deletes the hooks this keeper created or found. */
  removeAll(signal: AbortSignal): Promise<void>;
}

export function hookKeeper(provider: HookProvider, logger: Logger): HookKeeper {
  const kept = new Map<string, { target: HookTarget; id: string }>();
  return {
    async reconcile(first, signal) {
      const failures: ImpulseError[] = [];
      const targets = await provider.targets(signal);
      for (const target of targets) {
        if (signal.aborted) return;
        try {
          const hooks = await target.list(signal);
          const found = hooks.find((h) => h.url === provider.url);
          if (!found) {
            const id = await target.create(signal);
            kept.set(target.name, { target, id });
            logger.info({ target: target.name, hook: id, url: provider.url }, 'hook created');
          } else {
            kept.set(target.name, { target, id: found.id });
            if (first || !found.current) {
              await target.update(found.id, signal);
              logger.info({ target: target.name, hook: found.id, url: provider.url }, 'hook updated');
            }
          }
        } catch (err) {
          if (signal.aborted) return;
          failures.push(toImpulseError(err, 'TRANSIENT', target.name));
        }
      }
      if (failures.length > 0) {
        const transient = failures.some((f) => f.transient);
        throw new ImpulseError(
          transient ? 'TRANSIENT' : 'PERMANENT',
          failures.map((f) => f.message).join('; '),
          { cause: failures[0] },
        );
      }
    },
    async removeAll(signal) {
      for (const [name, { target, id }] of kept) {
        try {
          await target.remove(id, signal);
          kept.delete(name);
          logger.info({ target: name, hook: id }, 'hook deleted');
        } catch (err) {
          logger.warn(
            { target: name, hook: id, err: toImpulseError(err).message },
            'could not delete a hook',
          );
        }
      }
    },
  };
}

/** Argo Events joins `url` and `endpoint` so; hooks are matched on the result. */
export function hookUrl(url: string, endpoint: string): string {
  return `${url.replace(/\/+$/, '')}${endpoint.startsWith('/') ? endpoint : `/${endpoint}`}`;
}

/** Whether two event lists hold the same names, in any order. */
export function sameEvents(a: readonly string[] | undefined, b: readonly string[]): boolean {
  const left = new Set(a ?? []);
  const right = new Set(b);
  return left.size === right.size && [...left].every((e) => right.has(e));
}
