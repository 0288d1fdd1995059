import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { convertManifestText, listManifestFiles } from '../../crds/index.ts';

/**
 * `impulse convert PATH...`: rewrites `argoproj.io/v1alpha1` EventSource, Sensor and EventBus objects
 * to `impulse.dev/v1alpha1`. Prints the result, or rewrites the files with `--write`.
 */
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('Rewrite Argo Events apiVersions to impulse.dev/v1alpha1 (nothing else changes)')
    .argument('<paths...>', 'YAML files, or folders searched recursively')
    .option('-w, --write', 'rewrite the files in place instead of printing them')
    .action(async (paths: string[], options: { write?: boolean }) => {
      const files = await listManifestFiles(paths);
      const printed: string[] = [];
      for (const file of files) {
        const { text, converted } = convertManifestText(await readFile(file, 'utf8'));
        if (options.write) {
          if (converted > 0) await writeFile(file, text);
          process.stderr.write(`${file}: ${converted} object${converted === 1 ? '' : 's'} converted\n`);
        } else {
          printed.push(text.endsWith('\n') ? text : `${text}\n`);
        }
      }
      if (!options.write) process.stdout.write(printed.join('---\n'));
    });
}
