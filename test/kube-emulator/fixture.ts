import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  type KubeEmulator,
  type KubeEmulatorOptions,
  startKubeEmulator,
} from '../support/kube-emulator/index.ts';

/** An emulator with tiny controller delays, so that tests of waiting stay fast. */
export function startTestEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  return startKubeEmulator({ controllers: { readyDelayMs: 60, jobDurationMs: 80 }, ...options });
}

/** The client-node APIs product code uses, configured from the emulator's kubeconfig. */
export function clients(emulator: KubeEmulator, namespace = 'default') {
  const kc = emulator.kubeConfig({ namespace });
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    networking: kc.makeApiClient(NetworkingV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kc),
  };
}

/** Per-call options that send a patch with the given content type, as product code must. */
export const asPatch = {
  merge: setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  json: setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  strategic: setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  apply: setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
};

export interface StatusBody {
  kind: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason: string; message: string; field?: string }[];
  };
}

/** Awaits a call that must fail with an API error; answers the HTTP code and the Status body. */
export async function apiError(call: Promise<unknown>): Promise<{ code: number; status: StatusBody }> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const raw: unknown = err.body;
    const status = (typeof raw === 'string' && raw !== '' ? JSON.parse(raw) : raw) as StatusBody;
    return { code: err.code, status };
  }
  throw new Error('expected the call to fail with an API error');
}

/** A fresh namespace name per test. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A minimal valid Deployment. */
export function deployment(
  name: string,
  extra: { annotations?: Record<string, string>; replicas?: number } = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      replicas: extra.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/**
 * One HTTP request to the emulator without client-node (for what the client cannot send), trusting
 * the emulator's certificate and sending its token unless told otherwise.
 */
export function rawRequest(
  emulator: KubeEmulator,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; token?: string | null } = {},
): Promise<RawResponse> {
  const url = new URL(path, emulator.url);
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? emulator.token : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ...(emulator.caPem ? { ca: emulator.caPem } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
