import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiServer, type AuditEntry } from './api-server.ts';
import type { WriteOptions } from './commit.ts';
import { ANNOTATIONS, type ControllerTiming } from './controllers/common.ts';
import { ControllerManager } from './controllers/manager.ts';
import { GarbageCollector } from './gc.ts';
import { createHandler } from './http-handler.ts';
import { type KubeconfigParams, kubeconfigYaml, makeKubeConfig, writeKubeconfig } from './kubeconfig.ts';
import { Registry } from './registry.ts';
import { ProcessRunner, type ProcessRunnerOptions, type RunnerProcess } from './runner/process-runner.ts';
import { Store } from './store.ts';
import { servingCertificate } from './tls.ts';
import { WatchHub } from './watch.ts';

export type { AuditEntry } from './api-server.ts';
export type { ControllerTiming } from './controllers/common.ts';
export type { ProcessRunnerOptions, RunnerProcess } from './runner/process-runner.ts';
export { ANNOTATIONS as EMULATOR_ANNOTATIONS };

export interface KubeEmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Serve HTTPS with a generated self-signed certificate (false: plain HTTP). @default true */
  tls?: boolean;
  /** The bearer token clients must send. @default a random token */
  token?: string;
  /** Changes retained per resource that watches can resume from; older ones answer 410. @default 1000 */
  watchWindow?: number;
  /** Interval of BOOKMARK events on watches that allow them. @default 60000 */
  bookmarkIntervalMs?: number;
  /** The simulated controllers' timing, or false to run none. @default {readyDelayMs: 1000, jobDurationMs: 2000} */
  controllers?: false | Partial<ControllerTiming>;
  /** Namespaces to create at start, besides default, kube-system, kube-public and kube-node-lease. */
  namespaces?: string[];
  /** Run Deployments of this image as local processes (see ProcessRunner). @default off */
  processRunner?: ProcessRunnerOptions;
}

/** A running emulator. `close()` (or `await using`) stops it; calling it twice is safe. */
export interface KubeEmulator extends AsyncDisposable {
  /** `https://127.0.0.1:<port>` (or `http://...` without TLS). */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The serving certificate in PEM (the CA a client trusts), undefined without TLS. */
  readonly caPem: string | undefined;
  /** A client-node KubeConfig for this emulator, with the context's namespace. @default namespace "default" */
  kubeConfig(options?: { namespace?: string }): KubeConfig;
  /** The kubeconfig as YAML. */
  kubeconfigYaml(options?: { namespace?: string }): string;
  /** Writes the kubeconfig to a file (mode 0600). */
  writeKubeconfig(file: string, options?: { namespace?: string }): Promise<void>;
  /** Every client write so far, in order (what `GET /emulator/audit` answers). */
  audit(): AuditEntry[];
  /** Forgets the audit log so far. */
  clearAudit(): void;
  /** Watches currently open (for tests that check clients close theirs). */
  readonly openWatches: number;
  /** Ends every open watch, as an API server does at its request timeout or on restart. */
  closeWatches(): void;
  /** The local processes of the process runner (empty when it is off). */
  processes(): RunnerProcess[];
  close(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/**
 * Starts an emulated Kubernetes API server on 127.0.0.1: HTTPS with a generated certificate and a
 * bearer token, the built-in kinds and runtime CRDs, watches, the garbage collector, and the
 * simulated controllers. Clients connect with `kubeConfig()` exactly as to a cluster.
 */
export async function startKubeEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const store = new Store(options.watchWindow ?? 1000);
  const registry = new Registry();
  const api = new ApiServer(store, registry);
  const setup: WriteOptions = {
    dryRun: false,
    fieldValidation: 'Ignore',
    manager: 'kube-apiserver',
    warnings: [],
  };
  const namespaceType = registry.lookup('v1', 'namespaces')!;
  for (const name of new Set([...SYSTEM_NAMESPACES, ...(options.namespaces ?? [])])) {
    api.create(namespaceType, undefined, { metadata: { name } }, setup, false);
  }
  const watches = new WatchHub(store, options.bookmarkIntervalMs ?? 60_000);
  const gc = new GarbageCollector(api);
  const controllers =
    options.controllers === false
      ? undefined
      : new ControllerManager(api, {
          readyDelayMs: options.controllers?.readyDelayMs ?? 1000,
          jobDurationMs: options.controllers?.jobDurationMs ?? 2000,
          loadBalancerIp: options.controllers?.loadBalancerIp ?? '127.0.0.1',
          nodes: options.controllers?.nodes ?? 1,
        });

  const token = options.token ?? randomBytes(24).toString('base64url');
  const certificate = options.tls === false ? undefined : await servingCertificate();
  const host = options.host ?? '127.0.0.1';
  let port = 0;
  const handler = createHandler({ api, watches, token, serverAddress: () => `${host}:${port}` });
  const server: Server = certificate
    ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, handler)
    : createHttpServer(handler);
  // Every raw socket, including TLS handshakes the HTTP layer does not track yet, so close() can end them.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `${certificate ? 'https' : 'http'}://${host}:${port}`;
  const params = (namespace?: string): KubeconfigParams => ({
    server: url,
    token,
    caPem: certificate?.cert,
    namespace: namespace ?? 'default',
  });

  const runner = options.processRunner
    ? await ProcessRunner.start(store, options.processRunner, (file) => writeKubeconfig(file, params()))
    : undefined;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Processes first: they talk to the API until they are gone.
      await runner?.close().catch(() => {});
      controllers?.close();
      gc.close();
      watches.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    })();
    return closing;
  };

  return {
    url,
    port,
    token,
    caPem: certificate?.cert,
    kubeConfig: (o) => makeKubeConfig(params(o?.namespace)),
    kubeconfigYaml: (o) => kubeconfigYaml(params(o?.namespace)),
    writeKubeconfig: (file, o) => writeKubeconfig(file, params(o?.namespace)),
    audit: () => structuredClone(api.audit),
    clearAudit: () => {
      api.audit.length = 0;
    },
    get openWatches() {
      return watches.openWatches;
    },
    closeWatches: () => watches.closeAll(),
    processes: () => runner?.processes() ?? [],
    close,
    [Symbol.asyncDispose]: close,
  };
}
