import { type ImpulseObject, validateDocument } from '../crds/index.ts';
import type { KubeObject } from './cluster-api.ts';

export type Verdict =
  | { ok: true; object: ImpulseObject; warnings: string[] }
  | { ok: false; message: string };

/**
 * Validates an object read from the cluster exactly as `impulse validate` validates a file, and says
 * what is wrong the way it prints it (`spec.x: problem`, one per line, without a file and line,
 * which a cluster object does not have). The status is not the user's input and is left out.
 */
export function validateClusterObject(object: KubeObject): Verdict {
  const { status: _status, ...input } = object;
  const verdict = validateDocument({
    source: { file: `${object.kind} ${object.metadata?.namespace}/${object.metadata?.name}`, document: 1 },
    value: input,
    lineOf: () => undefined,
  });
  const line = (issue: { path: string; message: string }) =>
    issue.path ? `${issue.path}: ${issue.message}` : issue.message;
  if (verdict.status === 'valid' && verdict.object)
    return { ok: true, object: verdict.object, warnings: verdict.warnings.map(line) };
  return { ok: false, message: verdict.errors.map(line).join('\n') || 'invalid' };
}
