/** Where a trigger's Kubernetes manifest comes from: Argo Events' ArtifactLocation, read. */
import { readFile } from 'node:fs/promises';
import { ImpulseError } from '../../core/errors.ts';
import type { KubeObject } from '../../core/kube/types.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import type { ArtifactLocation } from '../../crds/index.ts';
import { readGit } from './git.ts';
import { httpGet } from './http-get.ts';
import { checkObject, MAX_MANIFEST_BYTES, parseManifest } from './manifest.ts';
import { readS3 } from './s3.ts';

export { GIT_PATH_FORBIDDEN } from './git.ts';
export { checkObject, MAX_MANIFEST_BYTES, parseManifest } from './manifest.ts';
export { EMPTY_SHA256, type SigV4Request, signV4, uriEncode } from './sigv4.ts';

export interface ArtifactContext {
  secrets: SecretResolver;
  /** Reads a ConfigMap key in the sensor's namespace (undefined when the map or key is missing). */
  readConfigMap(name: string, key: string, signal?: AbortSignal): Promise<string | undefined>;
  signal?: AbortSignal;
}

/** The location kinds, in the order Argo Events looks at them. */
export const ARTIFACT_KINDS = ['s3', 'inline', 'file', 'url', 'git', 'configmap', 'resource'] as const;

/** The one location kind set in `source`, or an error naming what is wrong. */
export function artifactKind(source: ArtifactLocation): (typeof ARTIFACT_KINDS)[number] {
  const set = ARTIFACT_KINDS.filter((k) => source[k] !== undefined);
  if (set.length !== 1) {
    throw new ImpulseError(
      'INVALID_INPUT',
      set.length === 0
        ? `source: set one of ${ARTIFACT_KINDS.join(', ')}`
        : `source: sets ${set.join(' and ')}; set exactly one`,
    );
  }
  return set[0]!;
}

/**
 * Reads the manifest a `source` points at and returns it as one Kubernetes object (a copy the
 * caller may change). Read on every firing, as Argo Events does, so a changed file, URL, ConfigMap
 * or branch takes effect without a restart. Errors are ImpulseErrors: `TRANSIENT` when asking again
 * may help (a server down, a 503), `PERMANENT` or `INVALID_INPUT` when not.
 */
export async function loadArtifact(source: ArtifactLocation, ctx: ArtifactContext): Promise<KubeObject> {
  const kind = artifactKind(source);
  switch (kind) {
    case 'resource':
      return checkObject(structuredClone(source.resource), 'source.resource');
    case 'inline':
      return parseManifest(source.inline!, 'source.inline');
    case 'file': {
      const path = source.file!.path;
      if (!path) throw new ImpulseError('INVALID_INPUT', 'source.file.path: name the file to read');
      return parseManifest(await readLocalFile(path), `source.file ${path}`);
    }
    case 'url': {
      const { path, verifyCert, verifycert } = source.url!;
      let url: URL;
      try {
        url = new URL(path);
      } catch {
        throw new ImpulseError('INVALID_INPUT', `source.url.path: "${path}" is not a URL`);
      }
      const text = await httpGet(url, {
        what: 'source.url',
        verifyCert: verifyCert ?? verifycert ?? true,
        signal: ctx.signal,
      });
      return parseManifest(text, `source.url ${url.origin}${url.pathname}`);
    }
    case 'configmap': {
      const { name, key } = source.configmap!;
      const text = await ctx.readConfigMap(name, key, ctx.signal);
      if (text === undefined) {
        throw new ImpulseError(
          'PERMANENT',
          `source.configmap: ConfigMap ${name} has no key ${key} in the sensor's namespace; create it, or fix name and key`,
        );
      }
      return parseManifest(text, `source.configmap ${name}/${key}`);
    }
    case 'git': {
      const git = source.git!;
      const text = await readGit(git, ctx.secrets, ctx.signal);
      return parseManifest(text, `source.git ${git.filePath}`);
    }
    case 's3': {
      const s3 = source.s3!;
      const text = await readS3(s3, ctx.secrets, ctx.signal);
      return parseManifest(text, `source.s3 ${s3.bucket.name}/${s3.bucket.key ?? ''}`);
    }
  }
}

async function readLocalFile(path: string): Promise<string> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImpulseError(
      code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' ? 'PERMANENT' : 'TRANSIENT',
      `source.file ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (buffer.length > MAX_MANIFEST_BYTES) {
    throw new ImpulseError('PERMANENT', `source.file ${path}: larger than ${MAX_MANIFEST_BYTES} bytes`);
  }
  return buffer.toString('utf8');
}
