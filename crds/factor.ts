/**
 * Moves subschemas that occur more than once into `$defs` and refers to them with `$ref`, so ajv
 * compiles each one once. The Sensor schema repeats a trigger template (for the dead-letter trigger)
 * and dozens of secret selectors and TLS blocks; inlined, its validator is over a megabyte of code.
 * The schema means exactly the same afterwards.
 */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties']);

export function factorSchema(schema: unknown, minLength = 120): Record<string, unknown> {
  const root = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  const counts = new Map<string, number>();
  const keyOf = new WeakMap<object, string>();

  // Only schemas are factored; the maps under `properties` and `patternProperties` are not schemas,
  // their values are.
  const count = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) count(item);
      return;
    }
    const key = JSON.stringify(node);
    keyOf.set(node, key);
    if (key.length >= minLength) counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const [field, child] of Object.entries(node)) {
      if (SCHEMA_MAPS.has(field) && child && typeof child === 'object')
        for (const value of Object.values(child)) count(value);
      else count(child);
    }
  };
  count(root);

  const names = new Map<string, string>();
  const defs: Record<string, unknown> = {};
  const rebuild = (node: unknown, isDef = false): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map((item) => rebuild(item));
    const key = keyOf.get(node);
    if (!isDef && key !== undefined && (counts.get(key) ?? 0) > 1) {
      let name = names.get(key);
      if (!name) {
        name = `s${names.size}`;
        names.set(key, name);
        defs[name] = rebuild(node, true);
      }
      return { $ref: `#/$defs/${name}` };
    }
    return Object.fromEntries(
      Object.entries(node).map(([field, value]) => [
        field,
        SCHEMA_MAPS.has(field) && value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebuild(v)]))
          : rebuild(value),
      ]),
    );
  };
  const out = rebuild(root, true) as Record<string, unknown>;
  return Object.keys(defs).length > 0 ? { ...out, $defs: defs } : out;
}
