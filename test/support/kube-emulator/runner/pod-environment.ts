import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { arr, isObject, type JsonObject, obj, str } from '../json.ts';
import type { Store } from '../store.ts';

/**
 * What a kubelet would give a container, built on the local disk: each mounted volume becomes
 * `<pod dir><mountPath>` filled from its Secret or ConfigMap (emptyDir stays empty), and argument
 * and environment values that start with a mountPath are pointed at that folder.
 */
export interface PodEnvironment {
  /** mountPath -> local folder, longest mountPath first. */
  mounts: [string, string][];
  args: string[];
  env: Record<string, string>;
}

const SECRETS = 'secrets.';
const CONFIG_MAPS = 'configmaps.';

function keyedFiles(data: Record<string, Buffer>, items: JsonObject[] | undefined): [string, Buffer][] {
  if (!items || items.length === 0) return Object.entries(data);
  return items.flatMap((item): [string, Buffer][] => {
    const value = data[str(item, 'key') ?? ''];
    return value ? [[str(item, 'path') ?? str(item, 'key') ?? '', value]] : [];
  });
}

function secretData(store: Store, namespace: string, name: string): Record<string, Buffer> | undefined {
  const secret = store.get(SECRETS, namespace, name);
  if (!secret) return undefined;
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(obj(secret, 'data') ?? {})) out[k] = Buffer.from(String(v), 'base64');
  return out;
}

function configMapData(store: Store, namespace: string, name: string): Record<string, Buffer> | undefined {
  const cm = store.get(CONFIG_MAPS, namespace, name);
  if (!cm) return undefined;
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(obj(cm, 'data') ?? {})) out[k] = Buffer.from(String(v));
  for (const [k, v] of Object.entries(obj(cm, 'binaryData') ?? {})) out[k] = Buffer.from(String(v), 'base64');
  return out;
}

/** The files of one volume, or an error message when a non-optional source is missing. */
function volumeFiles(store: Store, namespace: string, volume: JsonObject): [string, Buffer][] | string {
  const secret = obj(volume, 'secret');
  const configMap = obj(volume, 'configMap');
  if (secret) {
    const name = str(secret, 'secretName') ?? '';
    const data = secretData(store, namespace, name);
    if (!data) return secret.optional === true ? [] : `secret "${name}" not found`;
    return keyedFiles(data, arr(secret, 'items')?.filter(isObject));
  }
  if (configMap) {
    const name = str(configMap, 'name') ?? '';
    const data = configMapData(store, namespace, name);
    if (!data) return configMap.optional === true ? [] : `configmap "${name}" not found`;
    return keyedFiles(data, arr(configMap, 'items')?.filter(isObject));
  }
  return [];
}

/** Resolves one `env[]` entry: a value, a Secret or ConfigMap key, or a field of the pod. */
function envValue(store: Store, namespace: string, podName: string, entry: JsonObject): string | undefined {
  if (typeof entry.value === 'string') return entry.value;
  const from = obj(entry, 'valueFrom');
  const secretRef = obj(from, 'secretKeyRef');
  if (secretRef)
    return secretData(store, namespace, str(secretRef, 'name') ?? '')?.[
      str(secretRef, 'key') ?? ''
    ]?.toString();
  const cmRef = obj(from, 'configMapKeyRef');
  if (cmRef)
    return configMapData(store, namespace, str(cmRef, 'name') ?? '')?.[str(cmRef, 'key') ?? '']?.toString();
  const field = str(obj(from, 'fieldRef'), 'fieldPath');
  if (field === 'metadata.name') return podName;
  if (field === 'metadata.namespace') return namespace;
  if (field === 'status.podIP') return '127.0.0.1';
  return undefined;
}

/** Points a value that starts with a mountPath at the mounted folder. */
export function rewritePath(value: string, mounts: [string, string][]): string {
  for (const [mountPath, local] of mounts) {
    const base = mountPath.endsWith('/') ? mountPath.slice(0, -1) : mountPath;
    if (value === base || value.startsWith(`${base}/`)) return local + value.slice(base.length);
  }
  return value;
}

/** Materializes the pod's volumes under `podDir` and resolves the container's args and environment. */
export async function preparePod(
  store: Store,
  namespace: string,
  podName: string,
  podDir: string,
  podSpec: JsonObject,
  container: JsonObject,
): Promise<PodEnvironment> {
  const volumes = new Map(
    (arr(podSpec, 'volumes') ?? []).filter(isObject).map((v) => [str(v, 'name') ?? '', v]),
  );
  const mounts: [string, string][] = [];
  for (const mount of (arr(container, 'volumeMounts') ?? []).filter(isObject)) {
    const mountPath = str(mount, 'mountPath') ?? '';
    const local = join(podDir, mountPath);
    const volume = volumes.get(str(mount, 'name') ?? '');
    if (!volume) throw new Error(`volume "${str(mount, 'name')}" is mounted but not declared`);
    const files = volumeFiles(store, namespace, volume);
    if (typeof files === 'string') throw new Error(`volume "${str(mount, 'name')}": ${files}`);
    const subPath = str(mount, 'subPath');
    await mkdir(subPath ? dirname(local) : local, { recursive: true });
    for (const [path, content] of files) {
      if (subPath && path !== subPath) continue;
      const target = subPath ? local : join(local, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    mounts.push([mountPath, local]);
  }
  mounts.sort((a, b) => b[0].length - a[0].length);

  const env: Record<string, string> = {};
  for (const source of (arr(container, 'envFrom') ?? []).filter(isObject)) {
    const prefix = str(source, 'prefix') ?? '';
    const secretName = str(obj(source, 'secretRef'), 'name');
    const cmName = str(obj(source, 'configMapRef'), 'name');
    const data = secretName
      ? secretData(store, namespace, secretName)
      : cmName
        ? configMapData(store, namespace, cmName)
        : undefined;
    for (const [k, v] of Object.entries(data ?? {})) env[prefix + k] = v.toString();
  }
  for (const entry of (arr(container, 'env') ?? []).filter(isObject)) {
    const value = envValue(store, namespace, podName, entry);
    if (value !== undefined) env[str(entry, 'name') ?? ''] = rewritePath(value, mounts);
  }
  const command = (arr(container, 'command') ?? []).map(String);
  const args = [...command.slice(1), ...(arr(container, 'args') ?? []).map(String)].map((a) =>
    rewritePath(a, mounts),
  );
  return { mounts, args, env };
}
