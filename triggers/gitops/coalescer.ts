import { ImpulseError } from '../../core/errors.ts';

/** What happened to a firing handed to the coalescer. */
export type Coalesced<R> =
  /** It ran (as the newest firing of its application); `covers` are the firings merged into it. */
  | { kind: 'ran'; result: R; covers: string[] }
  /** A later firing of the same trigger will run for it: report `superseded` and let it finish. */
  | { kind: 'superseded'; by: string }
  /** A later firing of another trigger ran for it and finished with `result`. */
  | { kind: 'covered'; by: string; result: R }
  /** A run that covered it had already succeeded (it was delivered again). */
  | { kind: 'already'; by: string };

export interface CoalesceRequest<T> {
  /** The application. */
  key: string;
  firingId: string;
  /** The trigger the firing belongs to: superseded firings wait in their own trigger's executor. */
  trigger: string;
  work: T;
  signal: AbortSignal;
  /** Called while the firing waits, so its messages are not delivered again. */
  working(): void;
}

export interface CoalescerOptions<T, R> {
  /** How strong a request is (refresh < sync on drift < sync): a run covers the weaker or equal. */
  rank(work: T): number;
  /** The newer request's work, made at least as strong as the older one's. */
  merge(older: T, newer: T): T;
  /** Whether a run's result counts as done, so firings it covered need not run again. */
  succeeded(result: R): boolean;
  /** @default 1000 */
  workingIntervalMs?: number;
}

/**
 * Runs one application's work. A failing run may call `handOver()` to give its firing to the run
 * queued behind it: it returns that run's firing id when it covers this one (see `Coalescer`).
 */
export type RunWork<T, R> = (work: T, covers: string[], handOver: () => string | undefined) => Promise<R>;

/** What a waiting firing is told: its outcome, or that its merged run may start now. */
type Settlement<T, R> = Coalesced<R> | { kind: 'turn'; pending: Pending<T, R> } | Error;

interface Waiter<T, R> {
  firingId: string;
  trigger: string;
  settle(outcome: Settlement<T, R>): void;
}

interface Pending<T, R> {
  owner: Waiter<T, R>;
  seq: number;
  work: T;
  covers: string[];
  /** Firings of other triggers waiting for this run's end. */
  others: Waiter<T, R>[];
}

interface Running<T, R> {
  firingId: string;
  seq: number;
  rank: number;
  trigger: string;
  others: Waiter<T, R>[];
}

interface Slot<T, R> {
  running?: Running<T, R>;
  pending?: Pending<T, R>;
  /** Per rank, the newest firing a succeeded run of that rank or stronger covered. */
  covered: Array<{ seq: number; by: string } | undefined>;
}

const MAX_REMEMBERED = 2000;

/**
 * Coalesces work per application: while one run goes on, the firings that arrive for the same
 * application merge into one pending run, the newest (by arrival, which is stream order) winning
 * and the strongest mode kept. Each firing learns whether it ran, was superseded (same trigger) or
 * covered (another trigger), so its messages are acked only once the run that covers it is over.
 * A failing run may hand its firing over to the pending run (`handOver`) instead of retrying.
 * A firing delivered again after a newer run succeeded is not run again.
 */
export class Coalescer<T, R> {
  private readonly slots = new Map<string, Slot<T, R>>();
  /** Arrival order of firings, kept for redeliveries. */
  private readonly order = new Map<string, number>();
  private counter = 0;

  constructor(private readonly options: CoalescerOptions<T, R>) {}

  async submit(request: CoalesceRequest<T>, run: RunWork<T, R>): Promise<Coalesced<R>> {
    const seq = this.sequence(request.firingId);
    const rank = this.options.rank(request.work);
    const slot = this.slot(request.key);
    const done = slot.covered[rank];
    if (done && done.seq >= seq) return { kind: 'already', by: done.by };
    if (!slot.running) return this.run(slot, request, seq, [request.firingId], request.work, run);

    const running = slot.running;
    if (running.seq > seq && running.rank >= rank) {
      const outcome = await this.wait(request, (w) =>
        this.attach(w, running.trigger, running.firingId, running.others),
      );
      return outcome as Coalesced<R>;
    }
    const outcome = await this.wait(request, (me) => this.enqueue(slot, me, seq, request.work));
    if (outcome.kind !== 'turn') return outcome;
    // The runs before this one are over, and this firing is the newest of its queue.
    const { pending } = outcome;
    return this.run(slot, request, pending.seq, pending.covers, pending.work, run, pending.others);
  }

  /** Whether any work is running or waiting (for tests and shutdown). */
  get idle(): boolean {
    return [...this.slots.values()].every((s) => !s.running && !s.pending);
  }

  private async run(
    slot: Slot<T, R>,
    request: CoalesceRequest<T>,
    seq: number,
    covers: string[],
    work: T,
    run: RunWork<T, R>,
    others: Waiter<T, R>[] = [],
  ): Promise<Coalesced<R>> {
    const rank = this.options.rank(work);
    slot.running = { firingId: request.firingId, seq, rank, trigger: request.trigger, others };
    let result: R;
    try {
      result = await run(work, covers, () => this.handOver(slot, request, seq, rank));
    } catch (err) {
      this.finish(slot, request.key);
      const error =
        err instanceof ImpulseError
          ? new ImpulseError(
              'TRANSIENT',
              `the sync that covered this firing (${request.firingId}) failed: ${err.message}`,
              { cause: err },
            )
          : (err as Error);
      for (const other of others) other.settle(error);
      throw err;
    }
    if (this.options.succeeded(result)) {
      for (let r = 0; r <= rank; r++) {
        if ((slot.covered[r]?.seq ?? -1) < seq) slot.covered[r] = { seq, by: request.firingId };
      }
    }
    this.finish(slot, request.key);
    for (const other of others) other.settle({ kind: 'covered', by: request.firingId, result });
    return { kind: 'ran', result, covers };
  }

  /** Ends the running work and starts the pending one, if any. */
  private finish(slot: Slot<T, R>, key: string): void {
    slot.running = undefined;
    const next = slot.pending;
    slot.pending = undefined;
    if (next) {
      // Reserved now, so a firing arriving before the owner resumes queues behind it.
      slot.running = {
        firingId: next.owner.firingId,
        seq: next.seq,
        rank: this.options.rank(next.work),
        trigger: next.owner.trigger,
        others: next.others,
      };
      next.owner.settle({ kind: 'turn', pending: next });
    } else if (slot.covered.every((c) => c === undefined)) {
      this.slots.delete(key);
    }
  }

  /**
   * Gives a failing run's firing to the pending run when that run will do at least the same for it:
   * newer, of the same trigger (superseded firings wait in their own trigger's executor, which knows
   * no other trigger's firings) and at least as strong (a refresh never syncs). The firing joins its
   * covers, so it is acked when that run is over. Otherwise nothing covers it and it keeps retrying.
   */
  private handOver(
    slot: Slot<T, R>,
    request: CoalesceRequest<T>,
    seq: number,
    rank: number,
  ): string | undefined {
    const pending = slot.pending;
    if (!pending || pending.seq < seq || pending.owner.trigger !== request.trigger) return undefined;
    if (this.options.rank(pending.work) < rank) return undefined;
    if (!pending.covers.includes(request.firingId)) pending.covers.push(request.firingId);
    return pending.owner.firingId;
  }

  /** Queues a firing behind the running work, merging with what already waits. */
  private enqueue(slot: Slot<T, R>, me: Waiter<T, R>, seq: number, work: T): void {
    const pending = slot.pending;
    if (!pending) {
      slot.pending = { owner: me, seq, work, covers: [me.firingId], others: [] };
      return;
    }
    if (pending.seq > seq) {
      // Delivered again out of order: the newer queued firing covers it.
      pending.work = this.options.merge(work, pending.work);
      pending.covers.push(me.firingId);
      this.attach(me, pending.owner.trigger, pending.owner.firingId, pending.others);
      return;
    }
    const previous = pending.owner;
    slot.pending = {
      owner: me,
      seq,
      work: this.options.merge(pending.work, work),
      covers: [...pending.covers, me.firingId],
      others: pending.others,
    };
    this.attach(previous, me.trigger, me.firingId, slot.pending.others);
  }

  /** Tells a firing that `by` covers it: superseded in the same trigger, else it waits for the end. */
  private attach(waiter: Waiter<T, R>, trigger: string, by: string, others: Waiter<T, R>[]): void {
    if (waiter.trigger === trigger) waiter.settle({ kind: 'superseded', by });
    else others.push(waiter);
  }

  /** Waits for a waiter's outcome, telling JetStream the firing is still in work meanwhile. */
  private wait(
    request: CoalesceRequest<T>,
    place: (waiter: Waiter<T, R>) => void,
  ): Promise<Exclude<Settlement<T, R>, Error>> {
    return new Promise((resolve, reject) => {
      const heartbeat = setInterval(() => request.working(), this.options.workingIntervalMs ?? 1000);
      const onAbort = () => {
        waiter.settle(new ImpulseError('CLOSED', 'the sensor stopped while the firing waited for its sync'));
        this.forget(waiter);
      };
      const waiter: Waiter<T, R> = {
        firingId: request.firingId,
        trigger: request.trigger,
        settle(outcome) {
          clearInterval(heartbeat);
          request.signal.removeEventListener('abort', onAbort);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome);
        },
      };
      if (request.signal.aborted) return onAbort();
      request.signal.addEventListener('abort', onAbort, { once: true });
      place(waiter);
    });
  }

  /** Drops an aborted waiter from the queues so it is not started later. */
  private forget(waiter: Waiter<T, R>): void {
    for (const slot of this.slots.values()) {
      if (slot.pending?.owner === waiter) {
        const others = slot.pending.others;
        slot.pending = undefined;
        const error = new ImpulseError(
          'CLOSED',
          `the firing that was to cover this one (${waiter.firingId}) stopped`,
        );
        for (const other of others) other.settle(error);
      }
      for (const list of [slot.pending?.others, slot.running?.others]) {
        const i = list?.indexOf(waiter) ?? -1;
        if (i >= 0) list!.splice(i, 1);
      }
    }
  }

  private sequence(firingId: string): number {
    let seq = this.order.get(firingId);
    if (seq === undefined) {
      seq = ++this.counter;
      this.order.set(firingId, seq);
      if (this.order.size > MAX_REMEMBERED) this.order.delete(this.order.keys().next().value!);
    }
    return seq;
  }

  private slot(key: string): Slot<T, R> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { covered: [] };
      this.slots.set(key, slot);
    }
    return slot;
  }
}
