import { createHash } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import type { BusMessage, CloudEvent, EventBus, KvStore } from '../eventbus/index.ts';
import { createFiring, type Firing } from '../triggers/index.ts';
import { CorrelationEntry, type EntryState, type FiringRecord, type HeldEvent } from './correlation.ts';
import type { CompiledPath } from './paths/index.ts';

/** What correlating one message decided. */
export type Decision =
  /** Nothing to do with it (filtered out, no correlation key, already handled): ack it. */
  | { kind: 'ack'; reason: string }
  /** Held for its partners (or already part of a recorded firing): ack once `durable` resolves, nak if it rejects. */
  | { kind: 'ack-when-durable'; durable: Promise<void> }
  /** Fires alone, nothing held involved: execute, then ack. */
  | { kind: 'single'; firing: Firing }
  /** Fires with held events; the record is durable (ack then) once `durable` resolves. */
  | {
      kind: 'recorded';
      firing: Firing;
      entry: CorrelationEntry;
      record: FiringRecord;
      durable: Promise<void>;
    };

export interface CorrelatorOptions {
  namespace: string;
  sensor: string;
  trigger: string;
  kv: KvStore;
  bus: EventBus;
  logger: Logger;
  /** Whether the dependencies present satisfy the trigger's condition. */
  condition(present: ReadonlySet<string>): boolean;
  /** Per dependency, the path to its correlation key (keyed correlation only). */
  correlationKeys?: ReadonlyMap<string, CompiledPath>;
  /** How long a keyed event waits for its partners. */
  windowMs?: number;
  /** Called when a held event is replaced by a newer one of the same dependency. */
  onReplaced?(dependency: string): void;
  /** How a dependency sees an event read back from the stream (its transform); as stored if absent. */
  shape?(dependency: string, event: CloudEvent): Promise<CloudEvent>;
}

/** Bodies of held events kept in memory, so a firing rarely reads the stream. */
const BODY_CACHE_LIMIT = 10_000;

/**
 * The correlation of one trigger: which events are held, per correlation key value when the trigger
 * is keyed, and which firings made of held events are recorded but not yet done. Runs on the
 * trigger's serial correlation queue; every change goes to KV before the messages behind it are
 * acked, and a recorded firing replaces the held events it uses in one write.
 */
export class Correlator {
  private readonly entries = new Map<string, CorrelationEntry>();
  private readonly bodies = new Map<number, CloudEvent>();
  private readonly prefix: string;
  private readonly selfSufficient = new Map<string, boolean>();

  constructor(private readonly options: CorrelatorOptions) {
    this.prefix = `${options.namespace}.${options.sensor}.${options.trigger}`;
  }

  get keyed(): boolean {
    return (this.options.correlationKeys?.size ?? 0) > 0;
  }

  /** Reads the trigger's entries from KV (every key value's, when keyed). */
  async load(): Promise<void> {
    this.entries.clear();
    const keys = this.keyed ? await this.options.kv.keys(`${this.prefix}.k.`) : [this.prefix];
    for (const key of keys) {
      const entry = new CorrelationEntry(this.options.kv, key);
      await entry.load();
      this.entries.set(key, entry);
    }
  }

  /** Every recorded firing, oldest events first (the order a restarted sensor resumes them in). */
  records(): Array<{ entry: CorrelationEntry; id: string; record: FiringRecord }> {
    const all = [...this.entries.values()].flatMap((entry) =>
      Object.entries(entry.current.firings).map(([id, record]) => ({ entry, id, record })),
    );
    const first = (r: FiringRecord) => Math.min(...Object.values(r.events).map((e) => e.seq));
    return all.sort((a, b) => first(a.record) - first(b.record));
  }

  /** Correlates one message of `dependency` that passed its filters. */
  async correlate(
    dependency: string,
    message: BusMessage,
    signal: AbortSignal,
    event: CloudEvent = message.event,
  ): Promise<Decision> {
    const entry = this.entryFor(dependency, event);
    if (!entry) return { kind: 'ack', reason: 'the event has no value at the correlation key' };
    if (entry.broken) await entry.reload(signal);
    const state = entry.current;
    const handled = state.handled[dependency];
    if (handled !== undefined && message.seq <= handled) {
      return { kind: 'ack', reason: 'already handled (a redelivery after a lost ack)' };
    }
    const expired = this.expired(state.held);
    const held = Object.fromEntries(Object.entries(state.held).filter(([dep]) => !expired.includes(dep)));
    const track = !this.isSelfSufficient(dependency);
    const ref: HeldEvent = { id: event.id, seq: message.seq, at: Date.now() };

    if (!this.options.condition(new Set([...Object.keys(held), dependency]))) {
      this.remember(ref.seq, event);
      const replaced = held[dependency];
      if (replaced) {
        this.bodies.delete(replaced.seq);
        this.options.onReplaced?.(dependency);
      }
      const durable = entry.change((s) => {
        dropHeld(s, expired);
        s.held[dependency] = ref;
        if (track) s.handled[dependency] = message.seq;
      });
      return { kind: 'ack-when-durable', durable };
    }

    const events: Record<string, CloudEvent> = { [dependency]: event };
    const used: Record<string, HeldEvent> = {};
    const vanished: string[] = [];
    for (const [dep, heldRef] of Object.entries(held)) {
      if (dep === dependency) {
        used[dep] = heldRef;
        continue;
      }
      const body = this.bodies.get(heldRef.seq) ?? (await this.read(dep, heldRef.seq));
      if (body?.id === heldRef.id) {
        events[dep] = body;
        used[dep] = heldRef;
      } else vanished.push(dep);
    }
    for (const dep of vanished) {
      this.options.logger.warn(
        { dependency: dep, eventId: held[dep]?.id },
        'a held event is no longer in the stream; dropped it',
      );
    }
    const drop = [...expired, ...vanished];
    if (Object.keys(used).length === 0) {
      if (drop.length > 0) void entry.change((s) => dropHeld(s, drop)).catch(() => undefined);
      return { kind: 'single', firing: this.firing(events) };
    }
    const firing = this.firing(events);
    const known = state.firings[firing.id] !== undefined;
    const record: FiringRecord = {
      state: 'started',
      events: Object.fromEntries(
        Object.keys(events).map((dep) => [dep, dep === dependency ? ref : used[dep]!]),
      ),
      failures: 0,
      at: Date.now(),
    };
    const durable = entry.change((s) => {
      dropHeld(s, drop);
      for (const [dep, usedRef] of Object.entries(used)) {
        if (s.held[dep]?.id === usedRef.id) delete s.held[dep];
        this.bodies.delete(usedRef.seq);
      }
      s.firings[firing.id] ??= record;
      if (track) s.handled[dependency] = message.seq;
    });
    // The same combination is recorded already (and executes from there): only the release is new.
    if (known) return { kind: 'ack-when-durable', durable };
    return { kind: 'recorded', firing, entry, record, durable };
  }

  /** Rebuilds a recorded firing from the stream; undefined when its events aged out. */
  async restore(record: FiringRecord): Promise<Firing | undefined> {
    const events: Record<string, CloudEvent> = {};
    for (const [dep, ref] of Object.entries(record.events)) {
      const body = this.bodies.get(ref.seq) ?? (await this.read(dep, ref.seq));
      if (body?.id !== ref.id) return undefined;
      events[dep] = body;
    }
    return this.firing(events);
  }

  /** Removes a finished firing's record. */
  complete(entry: CorrelationEntry, firingId: string): Promise<void> {
    return entry.change((s) => {
      delete s.firings[firingId];
    });
  }

  /** Counts a failed execution of a recorded firing; resolves with the failures so far. */
  async recordFailure(entry: CorrelationEntry, firingId: string): Promise<number> {
    let failures = 0;
    await entry.change((s) => {
      const record = s.firings[firingId];
      if (record) failures = record.failures = record.failures + 1;
    });
    return failures;
  }

  /** Drops held events for which `stale(at)` is true (all of them without `stale`). */
  async resetHeld(stale?: (at: number | undefined) => boolean): Promise<void> {
    const changes: Promise<void>[] = [];
    for (const entry of this.entries.values()) {
      const drop = Object.entries(entry.current.held)
        .filter(([, ref]) => !stale || stale(ref.at))
        .map(([dep]) => dep);
      if (drop.length === 0 || entry.broken) continue;
      changes.push(entry.change((s) => dropHeld(s, drop)));
    }
    await Promise.all(changes);
  }

  /** Drops keyed events past the window, and forgets key values with nothing left. */
  async sweep(): Promise<void> {
    if (!this.keyed) return;
    await this.resetHeld((at) => this.isExpired(at));
    const quietMs = Math.max(this.options.windowMs ?? 0, 10 * 60_000);
    for (const [key, entry] of this.entries) {
      if (entry.empty && !entry.broken && Date.now() - entry.changedAt > quietMs) {
        await entry.remove().catch(() => undefined);
        this.entries.delete(key);
      }
    }
  }

  private firing(events: Record<string, CloudEvent>): Firing {
    const { namespace, sensor, trigger } = this.options;
    return createFiring(namespace, sensor, trigger, events);
  }

  private entryFor(dependency: string, event: CloudEvent): CorrelationEntry | undefined {
    let key = this.prefix;
    let value: string | undefined;
    if (this.keyed) {
      const path = this.options.correlationKeys?.get(dependency);
      const found = path?.(event.data);
      if (!found?.exists || found.value === null) return undefined;
      value = typeof found.value === 'string' ? found.value : (found.raw ?? String(found.value));
      key = `${this.prefix}.k.${createHash('sha256').update(value).digest('hex').slice(0, 32)}`;
    }
    let entry = this.entries.get(key);
    if (!entry) {
      entry = new CorrelationEntry(this.options.kv, key, value);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Whether the condition holds with only this dependency: then its events never wait. */
  private isSelfSufficient(dependency: string): boolean {
    let answer = this.selfSufficient.get(dependency);
    if (answer === undefined) {
      answer = this.options.condition(new Set([dependency]));
      this.selfSufficient.set(dependency, answer);
    }
    return answer;
  }

  private expired(held: Record<string, HeldEvent>): string[] {
    if (!this.keyed) return [];
    return Object.entries(held)
      .filter(([, ref]) => this.isExpired(ref.at))
      .map(([dep]) => dep);
  }

  private isExpired(at: number | undefined): boolean {
    const windowMs = this.options.windowMs;
    return windowMs !== undefined && at !== undefined && Date.now() - at >= windowMs;
  }

  /** A stored event, read back and seen as its dependency sees it (transformed, if it has a transform). */
  private async read(dependency: string, seq: number): Promise<CloudEvent | undefined> {
    const raw = await this.options.bus.getEvent(seq);
    const shape = this.options.shape;
    return raw && shape ? shape(dependency, raw) : raw;
  }

  private remember(seq: number, event: CloudEvent): void {
    if (this.bodies.size >= BODY_CACHE_LIMIT) {
      const oldest = this.bodies.keys().next().value;
      if (oldest !== undefined) this.bodies.delete(oldest);
    }
    this.bodies.set(seq, event);
  }
}

function dropHeld(state: EntryState, dependencies: readonly string[]): void {
  for (const dep of dependencies) delete state.held[dep];
}
