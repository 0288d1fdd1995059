import { ImpulseError } from '../../core/errors.ts';
import type { StatusCause } from '../../core/kube/types.ts';

/** The field manager Impulse applies as. */
export const FIELD_MANAGER = 'impulse';

/**
 * Turns a server-side apply conflict (409 with `FieldManagerConflict` causes) into an error that
 * says which fields, which managers own them, and what to do. It is `PERMANENT`: applying the same
 * manifest again conflicts again, so retrying would only delay the dead letter. Other errors come
 * back unchanged.
 */
export function applyConflictError(err: unknown, object: string): unknown {
  if (!(err instanceof ImpulseError) || err.details?.status !== 409) return err;
  const causes = (err.details.causes as StatusCause[] | undefined) ?? [];
  const conflicts = causes.filter((c) => c.reason === 'FieldManagerConflict');
  if (conflicts.length === 0) return err;
  const byManager = new Map<string, string[]>();
  for (const cause of conflicts) {
    const manager = /conflict with "([^"]+)"/.exec(cause.message ?? '')?.[1] ?? 'another manager';
    const fields = byManager.get(manager) ?? [];
    fields.push(cause.field ?? '(unnamed field)');
    byManager.set(manager, fields);
  }
  const owners = [...byManager]
    .map(([manager, fields]) => `"${manager}" owns ${fields.join(', ')}`)
    .join('; ');
  return new ImpulseError(
    'PERMANENT',
    `server-side apply of ${object} as field manager "${FIELD_MANAGER}" conflicts: ${owners}, with different values. ` +
      'Either remove these fields from the manifest (or set them to the values they have), ' +
      'or set forceConflicts: true on the k8s trigger to take them over',
    {
      cause: err,
      details: {
        status: 409,
        reason: 'Conflict',
        conflicts: [...byManager].map(([manager, fields]) => ({ manager, fields })),
      },
    },
  );
}
