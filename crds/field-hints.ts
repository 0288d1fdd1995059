import type { FieldPath } from './issues.ts';
import { formatPath } from './issues.ts';

/** A place in a schema: property names, `*` for any map key, `[]` for any array item. */
type Pattern = string[];

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
}

/**
 * Knows every field a schema declares, to tell a user who put a field in the wrong place where it
 * belongs, and to suggest a field name they probably meant.
 */
export class FieldHints {
  private readonly byName = new Map<string, Pattern[]>();

  constructor(schema: unknown) {
    this.walk(schema as SchemaNode, [], new Set());
  }

  /**
   * Where a field named like the last segment of `path` is declared, closest to `path` first: the
   * declared place sharing the longest prefix with `path`, written with `path`'s own indexes.
   * Returns undefined when no declared place is close enough to be a useful hint.
   */
  belongsAt(path: FieldPath): string | undefined {
    const name = path[path.length - 1];
    if (typeof name !== 'string') return undefined;
    const candidates = this.byName.get(name) ?? [];
    let best: { pattern: Pattern; shared: number } | undefined;
    let tie = false;
    for (const pattern of candidates) {
      const shared = sharedPrefix(pattern, path);
      if (!best || shared > best.shared || (shared === best.shared && pattern.length < best.pattern.length)) {
        tie = best !== undefined && shared === best.shared && pattern.length === best.pattern.length;
        best = { pattern, shared };
      } else if (shared === best.shared && pattern.length === best.pattern.length) {
        tie = true;
      }
    }
    if (!best || best.shared < 2 || tie) return undefined;
    const rendered: Array<string | number> = best.pattern.map((segment, i) =>
      i < best.shared ? (path[i] as string | number) : segment === '[]' ? 0 : segment,
    );
    return formatPath(rendered);
  }

  private walk(node: SchemaNode | undefined, at: Pattern, seen: Set<SchemaNode>): void {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const pattern = [...at, name];
      const list = this.byName.get(name) ?? [];
      list.push(pattern);
      this.byName.set(name, list);
      this.walk(child, pattern, seen);
    }
    for (const child of Object.values(node.patternProperties ?? {})) this.walk(child, [...at, '*'], seen);
    if (typeof node.additionalProperties === 'object')
      this.walk(node.additionalProperties, [...at, '*'], seen);
    if (node.items) this.walk(node.items, [...at, '[]'], seen);
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) {
      this.walk(branch, at, seen);
    }
    seen.delete(node);
  }
}

function sharedPrefix(pattern: Pattern, path: FieldPath): number {
  let i = 0;
  for (; i < pattern.length - 1 && i < path.length - 1; i++) {
    const want = pattern[i];
    const have = path[i];
    const matches =
      want === '[]' ? typeof have === 'number' : want === '*' ? typeof have === 'string' : want === have;
    if (!matches) break;
  }
  return i;
}

/** The declared name closest to `name` (a typo or a case slip), if one is close. */
export function closestName(name: string, declared: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of declared) {
    if (candidate.toLowerCase() === name.toLowerCase()) return candidate;
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  const limit = name.length <= 4 ? 1 : 2;
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
