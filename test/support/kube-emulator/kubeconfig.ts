import { rename, writeFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface KubeconfigParams {
  /** `https://127.0.0.1:<port>` (or `http://` when TLS is off). */
  server: string;
  token: string;
  /** The serving certificate, trusted as the cluster's CA. Omitted: `insecure-skip-tls-verify`. */
  caPem: string | undefined;
  /** The context's namespace. @default "default" */
  namespace?: string;
  /** Name of the cluster, user and context entries. @default "kube-emulator" */
  name?: string;
}

/** The kubeconfig document for the emulator, in the same YAML `kubectl` reads. */
export function kubeconfigYaml(p: KubeconfigParams): string {
  const name = p.name ?? 'kube-emulator';
  const cluster: Record<string, unknown> = { server: p.server };
  if (p.caPem) cluster['certificate-authority-data'] = Buffer.from(p.caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: { token: p.token } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: p.namespace ?? 'default' } }],
    'current-context': name,
    preferences: {},
  });
}

/** A client-node KubeConfig loaded from that document, as product code loads one from a file. */
export function makeKubeConfig(p: KubeconfigParams): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(p));
  return kc;
}

/**
 * Writes the kubeconfig to `file` (mode 0600, as it holds the token), atomically: whoever waits for
 * the file never reads half of it.
 */
export async function writeKubeconfig(file: string, p: KubeconfigParams): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, kubeconfigYaml(p), { mode: 0o600 });
  await rename(partial, file);
}
