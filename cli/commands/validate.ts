import type { Command } from 'commander';
import { formatIssue, validateManifests } from '../../crds/index.ts';

/** `impulse validate PATH...`: one line per object, each problem under it; exit 1 if any is invalid. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Validate EventSource, Sensor and EventBus manifests (files or folders)')
    .argument('<paths...>', 'YAML or JSON files, or folders searched recursively')
    .option('-q, --quiet', 'print only invalid objects and problems')
    .action(async (paths: string[], options: { quiet?: boolean }) => {
      const { verdicts, parseIssues } = await validateManifests(paths);
      const out = (line: string) => process.stdout.write(`${line}\n`);
      const counts = { valid: 0, invalid: 0, ignored: 0 };
      for (const issue of parseIssues) out(formatIssue(issue));
      for (const verdict of verdicts) {
        counts[verdict.status]++;
        const where = `${verdict.source.file}#${verdict.source.document}`;
        const what = `${verdict.kind ?? '(no kind)'} ${verdict.name ?? '(no name)'}`;
        if (verdict.status === 'ignored') {
          if (!options.quiet) out(`${where} ${what}: skipped (${verdict.note})`);
          continue;
        }
        if (verdict.status === 'valid' && options.quiet && verdict.warnings.length === 0) continue;
        out(`${where} ${what}: ${verdict.status}`);
        for (const issue of [...verdict.errors, ...verdict.warnings]) out(`  ${formatIssue(issue)}`);
      }
      const files = new Set(verdicts.map((v) => v.source.file)).size;
      out(
        `${counts.valid} valid, ${counts.invalid + (parseIssues.length > 0 ? 1 : 0)} invalid, ${counts.ignored} skipped, in ${files} file${files === 1 ? '' : 's'}`,
      );
      if (counts.invalid > 0 || parseIssues.length > 0) process.exitCode = 1;
    });
}
