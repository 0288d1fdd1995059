import type { Command } from 'commander';
import { pino } from 'pino';
import { ImpulseError } from '../../core/errors.ts';
import { loadKubeConfig } from '../../core/kube.ts';
import { createLogger } from '../../core/logger.ts';
import type {
  Application,
  OperationResult,
  RefreshResult,
  ResourceKey,
  ResourceStatus,
  SyncEngine,
  SyncProgress,
} from '../../triggers/gitops/engine/index.ts';

interface SyncOptions {
  repo: string;
  revision: string;
  path: string;
  app: string;
  namespace: string;
  prune?: boolean;
  dryRun?: boolean;
  syncOption: string[];
  kubeconfig?: string;
  waveDelay: string;
  waveTimeout: string;
  recurse?: boolean;
  include?: string;
  exclude?: string;
  cacheDir?: string;
}

/**
 * `impulse sync`: syncs one application from Git into the cluster with the built-in engine (Argo
 * CD's phases, hooks, waves and health), printing the refresh, the progress wave by wave and a
 * summary. Exits 1 when the sync fails, 2 when it could not run.
 */
export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('Sync an application from Git into the cluster: phases, hooks, waves, health, prune')
    .requiredOption('--repo <url>', 'Git repository (file://, https://, ssh)')
    .option('--revision <rev>', 'branch, tag or commit', 'HEAD')
    .option('--path <dir>', 'folder of the manifests in the repository', '.')
    .requiredOption('--app <name>', 'application name (objects are labelled impulse.dev/app=<name>)')
    .requiredOption('--namespace <ns>', 'destination namespace')
    .option('--prune', 'delete objects of the application that Git no longer has')
    .option('--dry-run', 'validate every object with the server and change nothing')
    .option('--sync-option <opt>', 'a sync option, e.g. CreateNamespace=true (repeatable)', collect, [])
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--wave-delay <seconds>', 'pause between waves before judging health', '2')
    .option('--wave-timeout <seconds>', 'longest wait for one wave (or hook) to be done', '300')
    .option('--recurse', 'read manifests in sub-folders of --path too')
    .option('--include <glob>', 'only files matching this glob, e.g. "{a.yaml,b/*}"')
    .option('--exclude <glob>', 'leave out files matching this glob')
    .option('--cache-dir <dir>', 'where fetched repositories are cached')
    .action(async (options: SyncOptions) => {
      const app: Application = {
        name: options.app,
        repoURL: options.repo,
        revision: options.revision,
        path: options.path,
        destination: { namespace: options.namespace },
        syncOptions: options.syncOption,
        prune: options.prune === true,
        dryRun: options.dryRun === true,
        ...(options.recurse || options.include || options.exclude
          ? {
              directory: {
                recurse: options.recurse === true,
                ...(options.include ? { include: options.include } : {}),
                ...(options.exclude ? { exclude: options.exclude } : {}),
              },
            }
          : {}),
      };
      const out = (line = '') => process.stdout.write(`${line}\n`);
      const abort = new AbortController();
      const stop = () => abort.abort(new ImpulseError('CLOSED', 'interrupted'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await withEngine(options, async (engine) => {
        const started = Date.now();
        const result = await engine.sync(app, {
          signal: abort.signal,
          onProgress: (p) => printProgress(p, out),
        });
        out();
        printSummary(result, out, Date.now() - started);
        if (result.phase !== 'Succeeded') {
          process.stderr.write(
            `impulse: sync of ${app.name} ${result.phase.toLowerCase()}: ${result.message}\n`,
          );
          process.exitCode = 1;
        }
      }).finally(() => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Loads the kubeconfig and runs `work` with an engine that is closed afterwards. */
export async function withEngine(
  options: { kubeconfig?: string; waveDelay?: string; waveTimeout?: string; cacheDir?: string },
  work: (engine: SyncEngine) => Promise<void>,
): Promise<void> {
  const seconds = (flag: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0)
      throw new ImpulseError('INVALID_INPUT', `--${flag}: must be a number of seconds, got "${raw}"`);
    return n * 1000;
  };
  const waveDelayMs = seconds('wave-delay', options.waveDelay, 2000);
  const waveTimeoutMs = seconds('wave-timeout', options.waveTimeout, 300_000);
  const kubeConfig = await loadKubeConfig(options.kubeconfig ? { file: options.kubeconfig } : {});
  const { createSyncEngine } = await import('../../triggers/gitops/engine/index.ts');
  const logger = createLogger({
    name: 'sync',
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: pino.destination({ dest: 2, sync: true }),
  });
  const engine = createSyncEngine({
    kubeConfig,
    logger,
    waveDelayMs,
    waveTimeoutMs,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });
  try {
    await work(engine);
  } finally {
    await engine.close();
  }
}

function printProgress(p: SyncProgress, out: (line?: string) => void): void {
  switch (p.kind) {
    case 'refreshed':
      printRefresh(p.refresh, out);
      break;
    case 'wave-started':
      out();
      out(
        `${p.syncPhase} wave ${p.wave}: ${p.resources.length} resource${p.resources.length === 1 ? '' : 's'}`,
      );
      break;
    case 'applied': {
      const r = p.resource;
      const verb =
        r.hookPhase === 'Succeeded' || r.hookPhase === 'Failed'
          ? `hook ${r.hookPhase.toLowerCase()}`
          : r.status === 'SyncFailed'
            ? 'failed'
            : r.status === 'Pruned' || r.status === 'PruneSkipped'
              ? r.status.toLowerCase().replace('skipped', ' skipped')
              : 'applied';
      out(`  ${verb.padEnd(13)} ${describe(r)}${r.message ? `: ${r.message}` : ''}`);
      break;
    }
    case 'waiting':
      for (const w of p.waitingFor) {
        out(
          `  ${'waiting for'.padEnd(13)} ${describe(w)} (${w.healthStatus ?? 'Unknown'}${w.healthMessage ? `: ${w.healthMessage}` : ''})`,
        );
      }
      break;
    case 'wave-finished':
      out(`  ${p.syncPhase} wave ${p.wave} done`);
      break;
  }
}

/** The refresh as a table: resource, wave, sync status (with why), health. */
export function printRefresh(refresh: RefreshResult, out: (line?: string) => void): void {
  out(`application ${refresh.app} at ${refresh.revision}: ${refresh.syncStatus}, ${refresh.healthStatus}`);
  const rows = [...refresh.resources]
    .sort((a, b) => (a.wave ?? 0) - (b.wave ?? 0) || describe(a).localeCompare(describe(b)))
    .map((r: ResourceStatus) => [
      describe(r),
      String(r.wave ?? 0),
      `${r.syncStatus}${r.reason ? ` (${r.reason})` : ''}`,
      r.healthStatus ?? '-',
      r.diff ? r.diff.slice(0, 3).join(', ') + (r.diff.length > 3 ? ', ...' : '') : (r.healthMessage ?? ''),
    ]);
  out(table([['RESOURCE', 'WAVE', 'SYNC', 'HEALTH', 'DETAIL'], ...rows]));
}

/** The final lines: phase, message, revision, counts, status and health. */
export function printSummary(
  result: OperationResult,
  out: (line?: string) => void,
  elapsedMs?: number,
): void {
  const count = (status: string) => result.resources.filter((r) => r.status === status).length;
  out(`sync ${result.phase}${result.dryRun ? ' (dry run)' : ''}: ${result.message}`);
  out(
    `  revision ${result.revision}; ${count('Synced')} synced, ${count('Pruned')} pruned, ${count('PruneSkipped')} prune skipped, ${count('SyncFailed')} failed; application ${result.syncStatus}, ${result.healthStatus}${elapsedMs === undefined ? '' : `; ${(elapsedMs / 1000).toFixed(1)} s`}`,
  );
}

export function describe(r: ResourceKey): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
