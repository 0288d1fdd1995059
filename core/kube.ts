import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { type ErrorCode, ImpulseError } from './errors.ts';

export interface KubeConfigOptions {
  /** A kubeconfig file; wins over everything else. */
  file?: string;
}

/**
 * Where the Kubernetes API is, the way kubectl finds it: an explicit file, else the pod's service
 * account in a cluster, else `KUBECONFIG`, else `~/.kube/config`. Loads `@kubernetes/client-node`
 * only when called, so processes that never talk to Kubernetes do not pay for it.
 */
export async function loadKubeConfig(options: KubeConfigOptions = {}): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (options.file) kc.loadFromFile(options.file);
    else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else if (process.env.KUBECONFIG || existsSync(join(homedir(), '.kube', 'config'))) kc.loadFromDefault();
    else {
      throw new ImpulseError(
        'INVALID_INPUT',
        'no Kubernetes API configured: set KUBECONFIG, pass --kubeconfig FILE, or run in a pod with a service account',
      );
    }
  } catch (err) {
    if (err instanceof ImpulseError) throw err;
    const where = options.file ?? process.env.KUBECONFIG ?? '~/.kube/config';
    throw new ImpulseError('INVALID_INPUT', `cannot load kubeconfig ${where}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!kc.getCurrentCluster()) {
    throw new ImpulseError('INVALID_INPUT', 'the kubeconfig has no current context with a cluster');
  }
  return kc;
}

/** The parts of a Kubernetes `Status` answer that callers branch on. */
export interface KubeFailure {
  /** HTTP status, or undefined when no answer came (connection refused, reset, DNS). */
  status: number | undefined;
  /** `Status.reason`: `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, ... */
  reason: string | undefined;
  /** The API server's message, or the network error's. */
  message: string;
}

/** Reads what went wrong from anything client-node throws (an `ApiException` or a network error). */
export function kubeFailure(err: unknown): KubeFailure {
  const e = err as { code?: unknown; body?: unknown; message?: unknown };
  if (typeof e?.code === 'number') {
    const body = parseBody(e.body);
    return {
      status: e.code,
      reason: typeof body?.reason === 'string' ? body.reason : undefined,
      message: typeof body?.message === 'string' ? body.message : `HTTP ${e.code}`,
    };
  }
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const message = cause?.message ?? (typeof e?.message === 'string' ? e.message : String(err));
  return {
    status: undefined,
    reason: cause?.code ?? (typeof e?.code === 'string' ? e.code : undefined),
    message,
  };
}

function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (body && typeof body === 'object') return body as Record<string, unknown>;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether retrying the same request could succeed: no answer, 408, 409 Conflict (a stale
 * resourceVersion), 429 and 5xx are transient; other 4xx (invalid, forbidden, not found, already
 * exists) are permanent.
 */
export function isTransientKubeFailure(f: KubeFailure): boolean {
  if (f.status === undefined) return true;
  if (f.status === 409) return f.reason === 'Conflict';
  return f.status === 408 || f.status === 429 || f.status >= 500;
}

/**
 * An ImpulseError for a failed Kubernetes request, `TRANSIENT` or `PERMANENT` so retries are steered
 * right. `what` says what was attempted: `create apps/v1 Deployment demo/web`.
 */
export function kubeError(err: unknown, what: string): ImpulseError {
  if (err instanceof ImpulseError) return err;
  const f = kubeFailure(err);
  const code: ErrorCode = isTransientKubeFailure(f) ? 'TRANSIENT' : 'PERMANENT';
  const status =
    f.status === undefined ? (f.reason ?? 'no answer') : `${f.status}${f.reason ? ` ${f.reason}` : ''}`;
  return new ImpulseError(code, `${what}: ${status}: ${f.message}`, {
    cause: err,
    details: { status: f.status, reason: f.reason },
  });
}

/** The HTTP status a `kubeError` carries (404, 409, 422, ...); undefined for other errors or no answer. */
export function kubeStatusOf(err: unknown): number | undefined {
  const status = (err as ImpulseError | undefined)?.details?.status;
  return typeof status === 'number' ? status : undefined;
}
