import type { JsonObject } from './json.ts';
import { BUILTIN_RESOURCES, groupVersion, type ResourceType, storageKey } from './resources.ts';

/**
 * The resources the emulator serves right now: the built-ins plus whatever CRDs registered. It answers
 * the router's lookups and renders the discovery documents.
 */
export class Registry {
  readonly #byPath = new Map<string, ResourceType>();

  constructor() {
    for (const type of BUILTIN_RESOURCES) this.add(type);
  }

  add(type: ResourceType): void {
    this.#byPath.set(`${groupVersion(type)}/${type.plural}`, type);
  }

  /** Removes every version that a CRD served. */
  removeCrd(crdName: string): void {
    for (const [key, type] of this.#byPath) if (type.custom?.crdName === crdName) this.#byPath.delete(key);
  }

  /** The resource at `/api[s]/<gv>/<plural>`, or undefined. */
  lookup(gv: string, plural: string): ResourceType | undefined {
    return this.#byPath.get(`${gv}/${plural}`);
  }

  byKind(gv: string, kind: string): ResourceType | undefined {
    for (const type of this.#byPath.values())
      if (groupVersion(type) === gv && type.kind === kind) return type;
    return undefined;
  }

  /** All served versions of one stored resource (for a CRD: each served version). */
  versionsOf(key: string): ResourceType[] {
    return [...this.#byPath.values()].filter((t) => storageKey(t) === key);
  }

  all(): ResourceType[] {
    return [...this.#byPath.values()];
  }

  /** Whether `gv` is served at all (a known group version with at least one resource). */
  hasGroupVersion(gv: string): boolean {
    return this.all().some((t) => groupVersion(t) === gv);
  }

  /** `GET /api`. */
  coreVersions(serverAddress: string): JsonObject {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  /** `GET /apis`. */
  groupList(): JsonObject {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.#groups() };
  }

  /** `GET /apis/<group>`, or undefined when no version of the group is served. */
  group(name: string): JsonObject | undefined {
    const found = this.#groups().find((g) => g.name === name);
    return found ? { kind: 'APIGroup', apiVersion: 'v1', ...found } : undefined;
  }

  /** `GET /api/v1` or `GET /apis/<group>/<version>`: the APIResourceList with subresources. */
  resourceList(gv: string): JsonObject | undefined {
    const types = this.all().filter((t) => groupVersion(t) === gv);
    if (types.length === 0) return undefined;
    types.sort((a, b) => a.plural.localeCompare(b.plural));
    const resources: JsonObject[] = [];
    for (const t of types) {
      const entry: JsonObject = {
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: [...t.verbs],
      };
      if (t.shortNames.length > 0) entry.shortNames = [...t.shortNames];
      if (t.categories.length > 0) entry.categories = [...t.categories];
      resources.push(entry);
      if (t.statusSubresource) {
        resources.push({
          name: `${t.plural}/status`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
  }

  #groups(): { name: string; versions: JsonObject[]; preferredVersion: JsonObject }[] {
    const versionsByGroup = new Map<string, string[]>();
    for (const t of this.all()) {
      if (!t.group) continue;
      const versions = versionsByGroup.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      versionsByGroup.set(t.group, versions);
    }
    return [...versionsByGroup.entries()].map(([name, versions]) => {
      const sorted = [...versions].sort(compareVersions);
      const items = sorted.map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: items, preferredVersion: items[0] as JsonObject };
    });
  }
}

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const level = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [level, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const [la, ma, na] = rank(a);
  const [lb, mb, nb] = rank(b);
  return la - lb || ma - mb || na - nb || a.localeCompare(b);
}
