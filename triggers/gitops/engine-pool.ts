import type { Logger } from '../../core/logger.ts';
import type { EngineSettings } from './app-spec.ts';
import type { SyncEngine } from './engine/index.ts';

/** Makes an engine for settings; the default loads the kubeconfig and the engine on first use. */
export type EngineFactory = (settings: EngineSettings, logger: Logger) => Promise<SyncEngine>;

/**
 * `@kubernetes/client-node` and the engine are imported only when a gitops trigger first fires, so a
 * sensor without one (or one that has not fired yet) never loads them.
 */
export const loadEngine: EngineFactory = async (settings, logger) => {
  const [{ loadKubeConfig }, { createSyncEngine }] = await Promise.all([
    import('../../core/kube.ts'),
    import('./engine/index.ts'),
  ]);
  const kubeConfig = await loadKubeConfig(settings.kubeconfig ? { file: settings.kubeconfig } : {});
  return createSyncEngine({
    kubeConfig,
    logger,
    waveDelayMs: settings.waveDelayMs,
    waveTimeoutMs: settings.waveTimeoutMs,
  });
};

/** One engine per cluster and wave timing, made on first use and closed together. */
export class EnginePool {
  private readonly engines = new Map<string, Promise<SyncEngine>>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly factory: EngineFactory,
    private readonly logger: Logger,
  ) {}

  get(settings: EngineSettings): Promise<SyncEngine> {
    const key = `${settings.kubeconfig ?? ''}\u0000${settings.waveDelayMs}\u0000${settings.waveTimeoutMs}`;
    let engine = this.engines.get(key);
    if (!engine) {
      engine = this.factory(settings, this.logger);
      this.engines.set(key, engine);
      // A kubeconfig that failed to load is tried again on the next firing.
      engine.catch(() => this.engines.delete(key));
    }
    return engine;
  }

  /** Closes every engine made; safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const engines = [...this.engines.values()];
      this.engines.clear();
      await Promise.allSettled(
        engines.map(async (e) => {
          await (await e).close();
        }),
      );
    })();
    return this.closing;
  }
}
