import { parseAllDocuments } from 'yaml';
import { ImpulseError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/kube/types.ts';

/** The largest manifest read from any source; a bigger one is an error, never cut short. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * Reads a manifest (YAML or JSON) into one Kubernetes object. `where` names the source in errors
 * (`source.url https://...`). A manifest that is empty, holds several documents, or lacks
 * `apiVersion` or `kind` can never work, so the error is `INVALID_INPUT` (not retried).
 */
export function parseManifest(text: string, where: string): KubeObject {
  const documents = parseAllDocuments(text).filter((d) => !(d.contents === null && d.errors.length === 0));
  if (documents.length !== 1) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `${where}: expected one Kubernetes object, found ${documents.length} YAML documents`,
    );
  }
  const document = documents[0]!;
  if (document.errors.length > 0) {
    throw new ImpulseError('INVALID_INPUT', `${where}: not valid YAML: ${document.errors[0]!.message}`);
  }
  return checkObject(document.toJS({ maxAliasCount: 100 }) as unknown, where);
}

/** Checks that a value is a Kubernetes object with `apiVersion`, `kind` and `metadata`. */
export function checkObject(value: unknown, where: string): KubeObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImpulseError('INVALID_INPUT', `${where}: expected a Kubernetes object (a YAML mapping)`);
  }
  const object = value as Record<string, unknown>;
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof object[field] !== 'string' || object[field] === '') {
      throw new ImpulseError('INVALID_INPUT', `${where}: the object has no ${field}; set it`);
    }
  }
  const metadata = object.metadata ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ImpulseError('INVALID_INPUT', `${where}: metadata must be a mapping`);
  }
  return { ...object, metadata } as KubeObject;
}
