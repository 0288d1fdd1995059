/** Where a manifest came from: a file and the position of the document in it. */
export interface ManifestSource {
  file: string;
  /** 1-based position of the document in a multi-document file. */
  document: number;
}

/** One problem found in a manifest, located as precisely as the parser allows. */
export interface ManifestIssue {
  source: ManifestSource;
  /** 1-based line of the offending node, where the YAML parser can tell. */
  line?: number;
  /** Field path in dotted form with indexes, e.g. `spec.triggers[0].template`. Empty for the document. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** `file:line` (or `file#document`) followed by the field path and the message. */
export function formatIssue(issue: ManifestIssue): string {
  const where =
    issue.line === undefined
      ? `${issue.source.file}#${issue.source.document}`
      : `${issue.source.file}:${issue.line}`;
  const label = issue.severity === 'warning' ? 'warning: ' : '';
  return issue.path
    ? `${where}: ${label}${issue.path}: ${issue.message}`
    : `${where}: ${label}${issue.message}`;
}

/** Segments of a field path: property names and array indexes. */
export type FieldPath = ReadonlyArray<string | number>;

/** `['spec', 'triggers', 0, 'template']` -> `spec.triggers[0].template`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** ajv's JSON Pointer (`/spec/triggers/0`) -> path segments; digits inside arrays become numbers. */
export function pointerToPath(pointer: string, root: unknown): FieldPath {
  if (!pointer) return [];
  const segments: Array<string | number> = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      segments.push(index);
      node = node[index];
    } else {
      segments.push(key);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return segments;
}
