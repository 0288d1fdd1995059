import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Lease } from '@kubernetes/client-node';
import { kubeError, kubeFailure } from '../core/kube.ts';
import type { Logger } from '../core/logger.ts';
import type { ClusterApi } from './cluster-api.ts';

export interface LeaderElectionOptions {
  namespace: string;
  /** @default "impulse-controller" */
  name?: string;
  identity: string;
  /** How long a lease holds without renewal before another replica may take it. @default 15000 */
  leaseDurationMs?: number;
  /** The leader stops acting when it could not renew for this long. @default 10000 */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew. @default 2000 */
  retryPeriodMs?: number;
  logger: Logger;
  /** Called when this replica becomes the leader; `term` aborts when it stops being the leader. */
  onStartedLeading(term: AbortSignal): void;
}

/**
 * Leader election on a `coordination.k8s.io/v1` Lease, as Kubernetes controllers do it. The holder
 * renews every retry period; a leader that could not renew within the renew deadline stops acting
 * (its term's signal aborts) before the lease can expire for others. A candidate takes the lease
 * only when the record it last saw has not changed for a whole lease duration, timed on its own
 * monotonic clock, never from the times written by another host. `close()` gives the lease up, so
 * a standby takes over at once.
 */
export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectionOptions, 'onStartedLeading' | 'logger'>> & LeaderElectionOptions;
  readonly #stop = new AbortController();
  #term: AbortController | undefined;
  /** The last record seen (its resourceVersion) and when, on the monotonic clock. */
  #observed: { version: string; at: number } | undefined;
  #lastRenew = 0;
  #loop: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(
    private readonly api: ClusterApi,
    options: LeaderElectionOptions,
  ) {
    this.#o = {
      name: 'impulse-controller',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      ...options,
    };
  }

  /** Whether this replica leads now (it renewed within the renew deadline). */
  get isLeader(): boolean {
    return this.#term !== undefined && performance.now() - this.#lastRenew < this.#o.renewDeadlineMs;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        const held = await this.#tryAcquireOrRenew();
        if (held) this.#lastRenew = performance.now();
        if (held && !this.#term) {
          this.#term = new AbortController();
          this.#o.logger.info({ lease: this.#o.name, identity: this.#o.identity }, 'became the leader');
          this.#o.onStartedLeading(this.#term.signal);
        }
      } catch (err) {
        this.#o.logger.warn({ err: (err as Error).message }, 'leader election: lease request failed');
      }
      if (this.#term && !this.isLeader) this.#stepDown('could not renew the lease in time');
      await sleep(this.#o.retryPeriodMs, undefined, { signal }).catch(() => undefined);
    }
  }

  #stepDown(why: string): void {
    if (!this.#term) return;
    this.#o.logger.warn({ lease: this.#o.name, why }, 'stopped leading');
    this.#term.abort();
    this.#term = undefined;
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.#o;
    const api = this.api.coordination;
    const now = new Date();
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (kubeFailure(err).status !== 404) throw kubeError(err, `read Lease ${namespace}/${name}`);
      try {
        await api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: this.#spec(now, 0, now) },
        });
        return true;
      } catch (createErr) {
        // Another replica created it first: it leads.
        if (kubeFailure(createErr).status === 409) return false;
        throw kubeError(createErr, `create Lease ${namespace}/${name}`);
      }
    }
    const version = lease.metadata?.resourceVersion ?? '';
    const clock = performance.now();
    if (this.#observed?.version !== version) this.#observed = { version, at: clock };
    const holder = lease.spec?.holderIdentity ?? '';
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    const mine = holder === identity;
    if (!mine && holder !== '' && clock - this.#observed.at < durationMs) return false;
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1);
    const acquired = mine && lease.spec?.acquireTime ? new Date(lease.spec.acquireTime) : now;
    try {
      const updated = await api.replaceNamespacedLease({
        name,
        namespace,
        body: { ...lease, spec: this.#spec(acquired, transitions, now) },
      });
      this.#observed = { version: updated.metadata?.resourceVersion ?? '', at: performance.now() };
      return true;
    } catch (err) {
      if (kubeFailure(err).status === 409) return false;
      throw kubeError(err, `update Lease ${namespace}/${name}`);
    }
  }

  #spec(acquired: Date, transitions: number, renewed: Date): V1Lease['spec'] {
    return {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.#o.leaseDurationMs / 1000)),
      acquireTime: acquired,
      renewTime: renewed,
      leaseTransitions: transitions,
    };
  }

  /** Stops electing; a leader gives the lease up (empty holder) so that a standby takes over at once. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#stop.abort();
      await this.#loop;
      const wasLeader = this.#term !== undefined;
      this.#stepDown('shutting down');
      if (!wasLeader) return;
      const { namespace, name, identity } = this.#o;
      try {
        const lease = await this.api.coordination.readNamespacedLease({ name, namespace });
        if (lease.spec?.holderIdentity !== identity) return;
        await this.api.coordination.replaceNamespacedLease({
          name,
          namespace,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } },
        });
      } catch (err) {
        this.#o.logger.warn({ err: (err as Error).message }, 'could not release the lease');
      }
    })();
    return this.#closing;
  }
}
