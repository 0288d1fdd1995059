import { isImpulseError } from '../core/errors.ts';
import type { KvStore } from '../eventbus/index.ts';

/** An event a trigger holds while it waits for the rest of its condition: where to find it again. */
export interface HeldEvent {
  id: string;
  /** Stream sequence, to read the event back from the bus (KV never holds bodies). */
  seq: number;
}

interface TriggerState {
  held: Record<string, HeldEvent>;
}

/**
 * The latest event per dependency that one trigger holds, kept in JetStream KV so a restarted sensor
 * resumes with it. Only the trigger's own serial correlation loop writes it; writes are
 * compare-and-set so a second writer (a replica that should not be active) is noticed, not ignored.
 */
export class CorrelationState {
  private state: TriggerState = { held: {} };
  private revision = 0;

  constructor(
    private readonly kv: KvStore,
    /** `<namespace>.<sensor>.<trigger>` */
    readonly key: string,
  ) {}

  async load(): Promise<void> {
    const entry = await this.kv.get<TriggerState>(this.key);
    this.state =
      entry?.value && typeof entry.value === 'object' ? { held: { ...entry.value.held } } : { held: {} };
    this.revision = entry?.revision ?? 0;
  }

  /** The events held now, by dependency name. */
  held(): Readonly<Record<string, HeldEvent>> {
    return this.state.held;
  }

  /** Holds `event` for `dependency`, replacing an older one (Argo Events keeps the latest). */
  async hold(dependency: string, event: HeldEvent): Promise<void> {
    await this.write({ held: { ...this.state.held, [dependency]: event } });
  }

  /** Releases the events a firing used; a newer event held meanwhile for the same dependency stays. */
  async release(used: Readonly<Record<string, HeldEvent>>): Promise<void> {
    const held = { ...this.state.held };
    let changed = false;
    for (const [dependency, event] of Object.entries(used)) {
      if (held[dependency]?.id === event.id) {
        delete held[dependency];
        changed = true;
      }
    }
    if (changed) await this.write({ held });
  }

  private async write(next: TriggerState): Promise<void> {
    try {
      this.revision =
        this.revision === 0
          ? await this.kv.create(this.key, next)
          : await this.kv.update(this.key, next, this.revision);
    } catch (err) {
      if (!isImpulseError(err, 'INVALID_STATE')) throw err;
      // Someone else wrote the key (or it was deleted): read it again and apply our change on top.
      const ours = next;
      await this.load();
      this.revision =
        this.revision === 0
          ? await this.kv.create(this.key, ours)
          : await this.kv.update(this.key, ours, this.revision);
    }
    this.state = next;
  }
}
