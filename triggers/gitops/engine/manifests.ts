import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ImpulseError } from '../../../core/errors.ts';
import { isJsonObject, type KubeObject } from './kube-object.ts';
import { render, rendererFor } from './render.ts';
import type { Application } from './types.ts';

/** One object of the target state, with where it came from (for error messages). */
export interface Manifest {
  object: KubeObject;
  /** `deploy/web.yaml#2` (document index from 1), or `kustomize build` output. */
  source: string;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * The target state of `app` in a checked-out tree: a kustomization or Helm chart rendered by its
 * tool, else every YAML and JSON file under `app.path` (sub-folders with `directory.recurse`,
 * filtered by `include` / `exclude` globs), multi-document, `List`s expanded.
 */
export async function loadManifests(
  checkoutDir: string,
  app: Pick<Application, 'name' | 'path' | 'directory' | 'destination' | 'repoURL'>,
  signal?: AbortSignal,
): Promise<Manifest[]> {
  const rootReal = await realpath(checkoutDir);
  const folder = join(rootReal, app.path || '.');
  const where = `path ${app.path || '.'} of ${app.repoURL}`;
  const folderReal = await realpath(folder).catch(() => undefined);
  if (!folderReal || !(await stat(folderReal)).isDirectory()) {
    throw new ImpulseError(
      'PERMANENT',
      `${where} does not exist or is not a folder; check the application's path`,
    );
  }
  if (folderReal !== rootReal && !folderReal.startsWith(rootReal + sep)) {
    throw new ImpulseError('PERMANENT', `${where} points outside the repository`);
  }
  const renderer = rendererFor(folderReal);
  if (renderer) {
    const yaml = await render(renderer.tool, folderReal, where, {
      releaseName: app.name,
      namespace: app.destination.namespace,
      ...(signal ? { signal } : {}),
    });
    return parseManifestText(yaml, `${renderer.tool} output of ${app.path || '.'}`);
  }
  const files = await listFiles(folderReal, app.directory?.recurse === true);
  const include = app.directory?.include ? globMatcher(app.directory.include) : undefined;
  const exclude = app.directory?.exclude ? globMatcher(app.directory.exclude) : undefined;
  const chosen = files
    .map((file) => ({ file, rel: relative(folderReal, file).split(sep).join('/') }))
    .filter(({ rel }) => (!include || include(rel)) && !exclude?.(rel));
  const texts = await Promise.all(chosen.map(({ file }) => readFile(file, 'utf8')));
  const manifests: Manifest[] = [];
  chosen.forEach(({ file, rel }, i) => {
    const source = join(app.path || '.', rel);
    const text = texts[i]!;
    manifests.push(
      ...(extname(file).toLowerCase() === '.json'
        ? parseJsonText(text, source)
        : parseManifestText(text, source)),
    );
  });
  return manifests;
}

async function listFiles(dir: string, recurse: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: recurse });
  return entries
    .filter((e) => e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (f) =>
        !relative(dir, f)
          .split(sep)
          .some((part) => part.startsWith('.')),
    )
    .sort();
}

/** A JSON file: one object or a List. JSON.parse is many times faster than a YAML parser. */
function parseJsonText(text: string, source: string): Manifest[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not strict JSON (comments, trailing commas): YAML reads what JSON.parse does not.
    return parseManifestText(text, source);
  }
  const where = `${source}#1`;
  return expandList(value, where).map((object) => ({ object: checkObject(object, where), source: where }));
}

/** Parses YAML (or JSON, which is YAML) with any number of documents; a bad one names its place. */
export function parseManifestText(text: string, source: string): Manifest[] {
  const out: Manifest[] = [];
  const documents = parseAllDocuments(text);
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((doc, i) => {
    const where = `${source}#${i + 1}`;
    if (doc.errors.length > 0) {
      throw new ImpulseError(
        'INVALID_MANIFEST',
        `${where}: not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`,
      );
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    for (const object of expandList(value, where))
      out.push({ object: checkObject(object, where), source: where });
  });
  return out;
}

function expandList(value: unknown, where: string): unknown[] {
  if (
    isJsonObject(value) &&
    typeof value.kind === 'string' &&
    value.kind.endsWith('List') &&
    Array.isArray(value.items)
  ) {
    return value.items;
  }
  if (Array.isArray(value))
    throw new ImpulseError('INVALID_MANIFEST', `${where}: expected an object, got a list`);
  return [value];
}

function checkObject(value: unknown, where: string): KubeObject {
  if (!isJsonObject(value))
    throw new ImpulseError('INVALID_MANIFEST', `${where}: expected a Kubernetes object`);
  for (const field of ['apiVersion', 'kind'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') {
      throw new ImpulseError('INVALID_MANIFEST', `${where}: ${field} is required (a non-empty string)`);
    }
  }
  const metadata = value.metadata;
  if (
    !isJsonObject(metadata) ||
    (typeof metadata.name !== 'string' && typeof metadata.generateName !== 'string')
  ) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${where}: metadata.name (or metadata.generateName) is required`,
    );
  }
  return value as unknown as KubeObject;
}

/**
 * A matcher for Argo CD's include/exclude globs: `*` and `?` inside one path segment, `**` across
 * segments, `{a,b}` alternatives. A pattern without `/` also matches the file name alone.
 */
export function globMatcher(pattern: string): (path: string) => boolean {
  const regex = new RegExp(`^${globSource(pattern)}$`);
  const baseOnly = !pattern.replace(/\{[^}]*\}/g, (m) => m.replace(/\//g, '')).includes('/');
  return (path) => regex.test(path) || (baseOnly && regex.test(path.slice(path.lastIndexOf('/') + 1)));
}

function globSource(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        out += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
        i += pattern[i + 2] === '/' ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) {
        out += '\\{';
        continue;
      }
      out += `(?:${pattern
        .slice(i + 1, end)
        .split(',')
        .map(globSource)
        .join('|')})`;
      i = end;
    } else out += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return out;
}
