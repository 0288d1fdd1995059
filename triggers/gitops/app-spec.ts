import { parseGoDuration } from '../../core/duration.ts';
import { ImpulseError } from '../../core/errors.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import { formatPath } from '../../crds/index.ts';
import { argoCdDurationMs, resolvedGitOpsProblems } from '../../crds/semantics/gitops.ts';
import type { GitOpsTrigger } from '../../crds/sensor/triggers/gitops.ts';
import type { Application } from './engine/index.ts';

/**
 * What a firing asks for, weakest first: compare only; compare and sync on drift; sync. Coalesced
 * firings run the strongest of their modes.
 */
export type SyncMode = 'refresh' | 'sync-if-out-of-sync' | 'sync';
export const MODE_RANK: Record<SyncMode, number> = { refresh: 0, 'sync-if-out-of-sync': 1, sync: 2 };

/** Argo CD's retry of a failed sync, resolved. */
export interface SyncRetry {
  /** Retries after the first attempt. */
  limit: number;
  delayMs: number;
  factor: number;
  maxDelayMs: number;
}

/** Which engine runs the application: one per cluster and wave timing. */
export interface EngineSettings {
  kubeconfig: string | undefined;
  waveDelayMs: number;
  waveTimeoutMs: number;
}

/** A gitops block after parameters, checked and with its defaults, ready to run. */
export interface ResolvedGitOps {
  app: Application;
  mode: SyncMode;
  retry: SyncRetry;
  engine: EngineSettings;
  /** Identifies the application across firings: the cluster, the namespace and the name. */
  key: string;
}

/** Argo CD's retry defaults: 5 s, doubling, at most 3 min; no retry unless a limit is given. */
export const DEFAULT_RETRY: SyncRetry = { limit: 0, delayMs: 5000, factor: 2, maxDelayMs: 180_000 };
const DEFAULT_WAVE_DELAY_MS = 2000;
const DEFAULT_WAVE_TIMEOUT_MS = 300_000;

/**
 * Turns a gitops block (with parameters applied) into what the driver runs: checks it as the
 * manifest checks do (a value from an event can be wrong where a literal could not), reads values
 * that parameters wrote as strings ("true", "3"), fills in the defaults and resolves credentials.
 * Throws `INVALID_INPUT` naming the field: a bad value never works, so it is not retried.
 */
export function resolveGitOps(raw: GitOpsTrigger, secrets: SecretResolver, where: string): ResolvedGitOps {
  const spec = coerce(raw, where);
  const errors = resolvedGitOpsProblems(spec, []).filter((p) => p.severity !== 'warning');
  if (errors.length > 0) {
    const text = errors.map((p) => `${where}.${formatPath(p.path)}: ${p.message}`).join('; ');
    throw new ImpulseError('INVALID_INPUT', text);
  }
  const operation = spec.operation ?? 'sync';
  const mode: SyncMode =
    spec.syncWhen === 'OutOfSync' ? 'sync-if-out-of-sync' : operation === 'refresh' ? 'refresh' : 'sync';
  const backoff = spec.retry?.backoff;
  const retry: SyncRetry = {
    limit: spec.retry?.limit ?? DEFAULT_RETRY.limit,
    delayMs: backoff?.duration ? argoCdDurationMs(backoff.duration)! : DEFAULT_RETRY.delayMs,
    factor: backoff?.factor ?? DEFAULT_RETRY.factor,
    maxDelayMs: backoff?.maxDuration ? argoCdDurationMs(backoff.maxDuration)! : DEFAULT_RETRY.maxDelayMs,
  };
  const credentials = resolveCredentials(spec, secrets);
  const app: Application = {
    name: spec.name!,
    repoURL: spec.repoURL!,
    revision: spec.revision ?? 'HEAD',
    path: spec.path ?? '.',
    destination: { namespace: spec.destination!.namespace },
    ...(spec.directory ? { directory: spec.directory } : {}),
    ...(spec.syncOptions ? { syncOptions: spec.syncOptions } : {}),
    ...(spec.prune !== undefined ? { prune: spec.prune } : {}),
    ...(spec.dryRun !== undefined ? { dryRun: spec.dryRun } : {}),
    ...(spec.ignoreDifferences ? { ignoreDifferences: spec.ignoreDifferences } : {}),
    ...(credentials ? { credentials } : {}),
  };
  const engine: EngineSettings = {
    kubeconfig: spec.kubeconfig,
    waveDelayMs: spec.waveDelay === undefined ? DEFAULT_WAVE_DELAY_MS : parseGoDuration(spec.waveDelay)!,
    waveTimeoutMs:
      spec.waveTimeout === undefined ? DEFAULT_WAVE_TIMEOUT_MS : parseGoDuration(spec.waveTimeout)!,
  };
  return {
    app,
    mode,
    retry,
    engine,
    key: `${engine.kubeconfig ?? ''}\u0000${app.destination.namespace}\u0000${app.name}`,
  };
}

function resolveCredentials(spec: GitOpsTrigger, secrets: SecretResolver): Application['credentials'] {
  const refs = spec.credentials;
  if (!refs) return undefined;
  const out: NonNullable<Application['credentials']> = {};
  for (const field of ['username', 'password', 'sshPrivateKey'] as const) {
    const ref = refs[field];
    if (ref) out[field] = secrets.get(ref);
  }
  return out;
}

/**
 * Parameters write strings unless `useRawData` is set: read "true"/"false", numbers and a
 * comma-separated `syncOptions` the way a literal would have been written.
 */
function coerce(raw: GitOpsTrigger, where: string): GitOpsTrigger {
  const spec = structuredClone(raw) as GitOpsTrigger & Record<string, unknown>;
  const bool = (value: unknown, field: string): boolean | undefined => {
    if (value === undefined || typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new ImpulseError(
      'INVALID_INPUT',
      `${where}.${field}: expected true or false, found ${JSON.stringify(value)}`,
    );
  };
  const num = (value: unknown, field: string): number | undefined => {
    if (value === undefined || typeof value === 'number') return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      return Number(value);
    throw new ImpulseError(
      'INVALID_INPUT',
      `${where}.${field}: expected a number, found ${JSON.stringify(value)}`,
    );
  };
  spec.prune = bool(spec.prune, 'prune');
  spec.dryRun = bool(spec.dryRun, 'dryRun');
  if (spec.directory) spec.directory.recurse = bool(spec.directory.recurse, 'directory.recurse');
  if (spec.retry) {
    spec.retry.limit = num(spec.retry.limit, 'retry.limit');
    if (spec.retry.backoff)
      spec.retry.backoff.factor = num(spec.retry.backoff.factor, 'retry.backoff.factor');
  }
  const options: unknown = spec.syncOptions;
  if (typeof options === 'string') {
    spec.syncOptions = options
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean);
  }
  for (const field of [
    'name',
    'repoURL',
    'revision',
    'path',
    'waveDelay',
    'waveTimeout',
    'kubeconfig',
  ] as const) {
    const value = spec[field];
    if (value !== undefined && typeof value !== 'string') {
      throw new ImpulseError(
        'INVALID_INPUT',
        `${where}.${field}: expected a string, found ${JSON.stringify(value)}`,
      );
    }
  }
  return spec;
}
