import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ImpulseError } from '../../../core/errors.ts';

/** The tools that render a folder instead of reading its files, and what tells them apart. */
export const RENDERERS = {
  kustomize: { files: ['kustomization.yaml', 'kustomization.yml', 'Kustomization'], what: 'a kustomization' },
  helm: { files: ['Chart.yaml'], what: 'a Helm chart' },
} as const;
export type Renderer = keyof typeof RENDERERS;

/** Which renderer a folder needs, if any (a kustomization wins, as in Argo CD). */
export function rendererFor(dir: string): { tool: Renderer; file: string } | undefined {
  for (const tool of Object.keys(RENDERERS) as Renderer[]) {
    const file = RENDERERS[tool].files.find((f) => existsSync(join(dir, f)));
    if (file) return { tool, file };
  }
  return undefined;
}

/** The full path of an executable on PATH, or undefined. */
export function findOnPath(tool: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      const info = statSync(candidate);
      if (info.isFile() && (info.mode & 0o111) !== 0) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Renders `dir` with kustomize or helm and answers the YAML they print. A tool that is not on PATH
 * fails the sync with a permanent error naming it: the raw files of a kustomization or chart are
 * never applied as they are.
 */
export async function render(
  tool: Renderer,
  dir: string,
  where: string,
  options: { releaseName: string; namespace: string; signal?: AbortSignal },
): Promise<string> {
  const executable = findOnPath(tool);
  if (!executable) {
    throw new ImpulseError(
      'PERMANENT',
      `${where} is ${RENDERERS[tool].what} (${rendererFor(dir)?.file}), which needs \`${tool}\` to render, but ${tool} is not on PATH; install ${tool} where impulse runs (Impulse never applies the raw files of ${RENDERERS[tool].what})`,
    );
  }
  const args =
    tool === 'kustomize'
      ? ['build', dir]
      : ['template', options.releaseName, dir, '--namespace', options.namespace, '--include-crds'];
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', (e) => reject(new ImpulseError('PERMANENT', `${tool} failed to start: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else
        reject(
          new ImpulseError(
            'PERMANENT',
            `${tool} could not render ${where}: ${err.trim() || `exit code ${code}`}`,
          ),
        );
    });
  });
}
