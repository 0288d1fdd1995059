import type { Command } from 'commander';
import { ImpulseError } from '../../core/errors.ts';
import { describe, printSummary, table, withEngine } from './sync.ts';

/**
 * `impulse status`: the last sync of an application, as recorded in ConfigMap `impulse-app-<name>`
 * of its namespace (`--json` for the whole result).
 */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Show the last sync of an application (from ConfigMap impulse-app-<name>)')
    .requiredOption('--app <name>', 'application name')
    .requiredOption('--namespace <ns>', 'destination namespace of the application')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--json', 'print the whole recorded result as JSON')
    .action(async (options: { app: string; namespace: string; kubeconfig?: string; json?: boolean }) => {
      await withEngine(options, async (engine) => {
        const result = await engine.lastResult({
          name: options.app,
          destination: { namespace: options.namespace },
        });
        if (!result) {
          throw new ImpulseError(
            'NOT_FOUND',
            `application ${options.app} has no recorded sync in namespace ${options.namespace} (no ConfigMap impulse-app-${options.app}); run impulse sync first`,
          );
        }
        const out = (line = '') => process.stdout.write(`${line}\n`);
        if (options.json) {
          out(JSON.stringify(result, null, 2));
          return;
        }
        out(
          `application ${result.app}: started ${result.startedAt}${result.finishedAt ? `, finished ${result.finishedAt}` : ', still running'}`,
        );
        printSummary(result, out);
        if (result.resources.length === 0) return;
        out();
        const rows = result.resources.map((r) => [
          describe(r),
          `${r.syncPhase}/${r.wave}`,
          r.status,
          r.hookPhase ? `${r.hookType ?? 'hook'} ${r.hookPhase}` : '',
          r.message ?? '',
        ]);
        out(table([['RESOURCE', 'PHASE/WAVE', 'STATUS', 'HOOK', 'MESSAGE'], ...rows]));
      });
    });
}
