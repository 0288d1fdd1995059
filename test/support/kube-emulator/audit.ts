import type { Part } from './field-paths.ts';
import { type KubeObject, str } from './json.ts';
import { groupVersion, type ResourceType } from './resources.ts';

/** One write in the audit log (`GET /emulator/audit`). */
export interface AuditEntry {
  verb: 'create' | 'update' | 'patch' | 'apply' | 'delete';
  apiVersion: string;
  kind: string;
  /** null for cluster-scoped objects. */
  namespace: string | null;
  name: string;
  /** The resourceVersion the write produced ('' for a dry-run create). */
  resourceVersion: string;
  dryRun: boolean;
  /** Present for writes to a subresource. */
  subresource?: 'status';
}

export function auditEntry(
  type: ResourceType,
  verb: AuditEntry['verb'],
  object: KubeObject,
  resourceVersion: string,
  dryRun: boolean,
  part: Part,
): AuditEntry {
  const entry: AuditEntry = {
    verb,
    apiVersion: groupVersion(type),
    kind: type.kind,
    namespace: str(object.metadata, 'namespace') ?? null,
    name: str(object.metadata, 'name') ?? '',
    resourceVersion,
    dryRun,
  };
  if (part === 'status') entry.subresource = 'status';
  return entry;
}
