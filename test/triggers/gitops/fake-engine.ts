import type {
  Application,
  OperationResult,
  RefreshResult,
  ResourceResult,
  SyncEngine,
  SyncProgress,
} from '../../../triggers/gitops/engine/index.ts';

/** What the fake does on each sync: finish with a phase (`retryable` as the engine sets it), or throw. */
export type FakeSync =
  | { phase: OperationResult['phase']; message?: string; retryable?: boolean }
  | { throws: Error };

/**
 * A sync engine that records what it is asked and answers from a script, for driver tests that are
 * about coalescing, retries and outcomes rather than Kubernetes. The real engine is tested by #11
 * and with the emulator in the e2e tests.
 */
export class FakeEngine implements SyncEngine {
  readonly syncs: Application[] = [];
  readonly refreshes: Application[] = [];
  /** Consumed one per sync; when empty, syncs succeed. */
  script: FakeSync[] = [];
  refreshAnswer: Pick<RefreshResult, 'syncStatus' | 'resources'> = { syncStatus: 'Synced', resources: [] };
  last: OperationResult | undefined;
  /** Resolves the sync in progress when set; otherwise syncs finish at once. */
  gate: Promise<void> | undefined;
  closed = 0;

  async refresh(app: Application): Promise<RefreshResult> {
    this.refreshes.push(app);
    return { app: app.name, revision: sha(app.revision), healthStatus: 'Healthy', ...this.refreshAnswer };
  }

  async sync(
    app: Application,
    opts: { signal?: AbortSignal; onProgress?: (p: SyncProgress) => void } = {},
  ): Promise<OperationResult> {
    this.syncs.push(app);
    const step = this.script.shift() ?? { phase: 'Succeeded' };
    if ('throws' in step) throw step.throws;
    const startedAt = new Date().toISOString();
    const revision = sha(app.revision);
    const report = opts.onProgress ?? (() => undefined);
    report({
      kind: 'refreshed',
      refresh: { app: app.name, revision, syncStatus: 'OutOfSync', healthStatus: 'Missing', resources: [] },
    });
    const resources: ResourceResult[] = [];
    for (const [syncPhase, wave, name] of [
      ['PreSync', 0, 'migrate'],
      ['Sync', 0, 'web'],
    ] as const) {
      report({ kind: 'wave-started', syncPhase, wave, resources: [] });
      const resource: ResourceResult = {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: app.destination.namespace,
        name,
        status: 'Synced',
        syncPhase,
        wave,
      };
      resources.push(resource);
      report({ kind: 'applied', resource });
      if (this.gate) await this.gate;
      report({ kind: 'wave-finished', syncPhase, wave });
    }
    this.last = {
      app: app.name,
      revision,
      phase: step.phase,
      message: step.message ?? (step.phase === 'Succeeded' ? 'successfully synced' : 'failed'),
      resources,
      syncStatus: step.phase === 'Succeeded' ? 'Synced' : 'OutOfSync',
      healthStatus: step.phase === 'Succeeded' ? 'Healthy' : 'Degraded',
      startedAt,
      finishedAt: new Date().toISOString(),
      dryRun: app.dryRun === true,
      ...(step.retryable !== undefined ? { retryable: step.retryable } : {}),
    };
    return this.last;
  }

  async lastResult(): Promise<OperationResult | undefined> {
    return this.last;
  }

  async close(): Promise<void> {
    this.closed++;
  }
}

/** A 40-hex "commit" for a revision name, so tests can tell revisions apart. */
export function sha(revision: string): string {
  if (/^[0-9a-f]{40}$/.test(revision)) return revision;
  return Buffer.from(revision).toString('hex').padEnd(40, '0').slice(0, 40);
}
