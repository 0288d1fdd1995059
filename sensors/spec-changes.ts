import { createHash } from 'node:crypto';
import { isImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { stableJson } from '../core/stable-json.ts';
import { consumerName, type EventBus, type KvStore } from '../eventbus/index.ts';
import type { EntryState } from './correlation.ts';
import type { SensorPlan } from './sensor-plan.ts';

/**
 * What a sensor's correlation state depends on, as stored next to it: a hash per dependency (its
 * whole spec) and per trigger (its condition, its dependencies and whether it is keyed).
 */
export interface SpecFingerprint {
  dependencies: Record<string, string>;
  triggers: Record<string, { hash: string; dependencies: string[] }>;
}

export function fingerprint(plan: SensorPlan): SpecFingerprint {
  return {
    dependencies: Object.fromEntries(plan.dependencies.map((d) => [d.name, hash(d)])),
    triggers: Object.fromEntries(
      plan.triggers.map((t) => {
        const dependencies = t.dependencies.map((d) => d.name).sort();
        return [
          t.name,
          {
            hash: hash({ condition: t.conditionText, dependencies, keyed: !!t.correlationKeys }),
            dependencies,
          },
        ];
      }),
    ),
  };
}

export interface SpecChangeOptions {
  kv: KvStore;
  bus: EventBus;
  plan: SensorPlan;
  logger: Logger;
}

/**
 * Compares the sensor's spec with the one its state was built under, and clears what no longer
 * fits, and only that: a trigger that changed (condition, dependencies, keying) or went away loses
 * its held events, recorded firings and consumers; a dependency that changed or went away loses its
 * consumers and its held events in every trigger. Consumers cleared start again at new events.
 * Then the current spec is stored.
 */
export async function applySpecChanges({ kv, bus, plan, logger }: SpecChangeOptions): Promise<void> {
  const key = `${plan.namespace}.${plan.name}`;
  const current = fingerprint(plan);
  const stored = (await kv.get<SpecFingerprint>(key))?.value;
  if (stored?.dependencies && stored.triggers) {
    const changedDependencies = new Set(
      Object.keys(stored.dependencies).filter((d) => current.dependencies[d] !== stored.dependencies[d]),
    );
    for (const [trigger, before] of Object.entries(stored.triggers)) {
      const now = current.triggers[trigger];
      const prefix = `${key}.${trigger}`;
      const consumers = (deps: string[]) =>
        Promise.all(deps.map((dep) => bus.deleteConsumer(consumerName(key, trigger, dep))));
      if (!now || now.hash !== before.hash) {
        logger.info(
          { trigger, removed: !now },
          'trigger changed: clearing its correlation state and consumers',
        );
        for (const entry of await entryKeys(kv, prefix)) await kv.delete(entry);
        await consumers([...new Set([...before.dependencies, ...(now?.dependencies ?? [])])]);
        continue;
      }
      const gone = before.dependencies.filter((d) => changedDependencies.has(d));
      if (gone.length === 0) continue;
      logger.info(
        { trigger, dependencies: gone },
        'dependencies changed: clearing their held events and consumers',
      );
      await consumers(gone);
      for (const entry of await entryKeys(kv, prefix)) await dropHeld(kv, entry, gone);
    }
  }
  await kv.put(key, current);
}

/** The KV keys of one trigger's state: the trigger's own and those of its correlation key values. */
async function entryKeys(kv: KvStore, prefix: string): Promise<string[]> {
  const keyed = await kv.keys(`${prefix}.k.`);
  return (await kv.get(prefix)) ? [prefix, ...keyed] : keyed;
}

async function dropHeld(kv: KvStore, key: string, dependencies: string[]): Promise<void> {
  for (;;) {
    const entry = await kv.get<EntryState>(key);
    if (!entry) return;
    const held = { ...entry.value.held };
    const handled = { ...entry.value.handled };
    for (const dep of dependencies) {
      delete held[dep];
      delete handled[dep];
    }
    try {
      await kv.update(key, { ...entry.value, held, handled }, entry.revision);
      return;
    } catch (err) {
      // Written in between: read it again.
      if (!isImpulseError(err, 'INVALID_STATE')) throw err;
    }
  }
}

function hash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}
