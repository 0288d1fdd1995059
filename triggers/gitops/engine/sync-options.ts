import { ImpulseError } from '../../../core/errors.ts';
import { annotationList, type KubeObject } from './kube-object.ts';

/** Per-resource sync options, comma-separated, as Argo CD spells them. */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/** The options Impulse implements, and the values each takes. */
const SUPPORTED: Record<string, readonly string[]> = {
  Prune: ['true', 'false'],
  PruneLast: ['true', 'false'],
  Replace: ['true', 'false'],
  ServerSideApply: ['true', 'false'],
  Validate: ['true', 'false'],
  CreateNamespace: ['true', 'false'],
  ApplyOutOfSyncOnly: ['true', 'false'],
  SkipDryRunOnMissingResource: ['true', 'false'],
  Force: ['true', 'false'],
  RespectIgnoreDifferences: ['true', 'false'],
  PrunePropagationPolicy: ['foreground', 'background', 'orphan'],
};

/**
 * Checks an application's sync options once, so the rest of the engine can trust them: an option
 * Impulse does not implement is an error that says so, never silently ignored.
 */
export function checkSyncOptions(options: readonly string[] | undefined, where = 'syncOptions'): void {
  (options ?? []).forEach((option, i) => {
    const [name = '', value] = option.split('=', 2).map((s) => s.trim());
    const values = SUPPORTED[name];
    if (!values) {
      throw new ImpulseError(
        'INVALID_INPUT',
        `${where}[${i}]: "${option}" is not a sync option Impulse supports; use one of ${Object.keys(SUPPORTED).join(', ')}`,
      );
    }
    if (value === undefined || !values.includes(value)) {
      throw new ImpulseError(
        'INVALID_INPUT',
        `${where}[${i}]: "${option}": ${name} takes ${values.map((v) => `${name}=${v}`).join(' or ')}`,
      );
    }
  });
}

/**
 * The value of option `name` for a resource: its own annotation wins over the application's
 * options; undefined when neither sets it.
 */
export function syncOption(
  name: keyof typeof SUPPORTED,
  appOptions: readonly string[] | undefined,
  object?: KubeObject,
): string | undefined {
  const find = (list: readonly string[]) => {
    for (const entry of list) {
      const [n, v] = entry.split('=', 2).map((s) => s.trim());
      if (n === name && v !== undefined) return v;
    }
    return undefined;
  };
  return find(annotationList(object, SYNC_OPTIONS_ANNOTATION)) ?? find(appOptions ?? []);
}

/** Whether option `name` is `true` for this resource (an absent option is false). */
export function syncOptionOn(
  name: keyof typeof SUPPORTED,
  appOptions: readonly string[] | undefined,
  object?: KubeObject,
): boolean {
  return syncOption(name, appOptions, object) === 'true';
}
