import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ImpulseError } from '../../../core/errors.ts';
import type { KubeRest } from '../../../core/kube/rest.ts';
import type { ResourceInfo } from '../../../core/kube/types.ts';
import { kubeStatusOf } from '../../../core/kube.ts';
import type { Logger } from '../../../core/logger.ts';
import { type KubeObject, refOf, servedResource, writeOptions } from './kube-object.ts';

/** A held per-application lease. `signal` aborts when it is lost; `close()` releases it. */
export interface AppLease {
  readonly signal: AbortSignal;
  readonly holder: string;
  close(): Promise<void>;
}

export interface LeaseOptions {
  namespace: string;
  app: string;
  logger: Logger;
  signal?: AbortSignal;
  /** @default 30 */
  durationSeconds?: number;
}

/** RFC 3339 with microseconds, the MicroTime format of Lease times. */
function microTime(at = new Date()): string {
  return at.toISOString().replace(/Z$/, '000Z');
}

export function leaseName(app: string): string {
  return `impulse-app-${app}`;
}

/**
 * Takes the `coordination.k8s.io` Lease `impulse-app-<app>` in the destination namespace: one sync
 * per application at a time, across processes and hosts. A Lease held by another holder is taken
 * over only when it has not been renewed for its duration, timed on this host's own clock from when
 * its last change was seen (never from a time written by another host). Waits until `signal` aborts.
 */
export async function acquireAppLease(client: KubeRest, options: LeaseOptions): Promise<AppLease> {
  const res = await servedResource(client, 'coordination.k8s.io/v1', 'Lease');
  const name = leaseName(options.app);
  const duration = options.durationSeconds ?? 30;
  const holder = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const ns = options.namespace;
  let seen: { version: string; at: number } | undefined;
  let told = false;
  const gaveUp = () =>
    new ImpulseError(
      'TRANSIENT',
      `gave up waiting for Lease ${ns}/${name}: another sync of ${options.app} holds it`,
      {
        cause: options.signal?.reason,
      },
    );
  for (;;) {
    if (options.signal?.aborted) throw gaveUp();
    const current = await client.get<KubeObject>({ resource: res, namespace: ns, name });
    const spec = (current?.spec ?? {}) as {
      holderIdentity?: string;
      leaseDurationSeconds?: number;
      leaseTransitions?: number;
    };
    const version = String(current?.metadata.resourceVersion ?? '');
    if (current && seen?.version !== version) seen = { version, at: performance.now() };
    const free = !current || !spec.holderIdentity || spec.holderIdentity === holder;
    const expired =
      seen !== undefined && performance.now() - seen.at > (spec.leaseDurationSeconds ?? duration) * 1000;
    if (free || expired) {
      const body = leaseObject(name, ns, holder, duration, (spec.leaseTransitions ?? 0) + (current ? 1 : 0));
      try {
        if (current) {
          body.metadata.resourceVersion = version;
          await client.replace(refOf(res, body), body, writeOptions());
        } else await client.create(res, ns, body, writeOptions());
        return startRenewing(client, res, body, options, holder);
      } catch (err) {
        const status = kubeStatusOf(err);
        if (status !== 409) throw err; // someone else was quicker: look again
      }
      continue;
    }
    if (!told) {
      options.logger.info(
        { lease: `${ns}/${name}`, holder: spec.holderIdentity },
        `waiting for the sync held by ${spec.holderIdentity}`,
      );
      told = true;
    }
    await sleep(1000, options.signal).catch(() => {
      throw gaveUp();
    });
  }
}

function leaseObject(
  name: string,
  namespace: string,
  holder: string,
  duration: number,
  transitions: number,
): KubeObject {
  const now = microTime();
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: duration,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: transitions,
    },
  };
}

/**
 * Renews the Lease every third of its duration. Following ARCHITECTURE.md's lease rule, the holder
 * stops acting (the signal aborts) 2/3 of the duration after the last renewal that succeeded, timed
 * from when that renewal was sent: past that, another replica may take the Lease over.
 */
function startRenewing(
  client: KubeRest,
  res: ResourceInfo,
  taken: KubeObject,
  options: LeaseOptions,
  holder: string,
): AppLease {
  const lost = new AbortController();
  const duration = (taken.spec as { leaseDurationSeconds: number }).leaseDurationSeconds;
  const name = taken.metadata.name ?? '';
  const stopAfterMs = (duration * 2000) / 3;
  let renewing: Promise<void> = Promise.resolve();
  let inFlight = false;
  let lastError: unknown;
  const lose = (error: ImpulseError) => {
    if (lost.signal.aborted) return;
    clearInterval(timer);
    clearTimeout(expiry);
    lost.abort(error);
  };
  const expire = () =>
    lose(
      new ImpulseError(
        'TRANSIENT',
        `Lease ${options.namespace}/${name}: no renewal succeeded for ${Math.round(stopAfterMs / 100) / 10} s (2/3 of its ${duration} s duration); stopped acting so that another sync may take it over`,
        { cause: lastError },
      ),
    );
  let expiry = setTimeout(expire, stopAfterMs);
  expiry.unref();
  const timer = setInterval(
    () => {
      if (inFlight || lost.signal.aborted) return;
      inFlight = true;
      const sent = performance.now();
      renewing = (async () => {
        try {
          const current = await client.get<KubeObject>({ resource: res, namespace: options.namespace, name });
          if ((current?.spec as { holderIdentity?: string } | undefined)?.holderIdentity !== holder) {
            lose(
              new ImpulseError(
                'INVALID_STATE',
                `Lease ${options.namespace}/${name} was taken over by another sync`,
              ),
            );
            return;
          }
          const spec = { ...(current?.spec as object), renewTime: microTime() };
          await client.replace(refOf(res, current!), { ...current!, spec }, writeOptions());
          if (lost.signal.aborted) return;
          clearTimeout(expiry);
          expiry = setTimeout(expire, Math.max(0, stopAfterMs - (performance.now() - sent)));
          expiry.unref();
        } catch (err) {
          lastError = err;
          options.logger.warn(
            { err: (err as Error).message },
            `could not renew Lease ${options.namespace}/${name}`,
          );
        } finally {
          inFlight = false;
        }
      })();
    },
    (duration * 1000) / 3,
  );
  timer.unref();
  let closing: Promise<void> | undefined;
  return {
    signal: lost.signal,
    holder,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        clearTimeout(expiry);
        await renewing;
        try {
          const current = await client.get<KubeObject>({ resource: res, namespace: options.namespace, name });
          const spec = current?.spec as { holderIdentity?: string } | undefined;
          if (current && spec?.holderIdentity === holder) {
            await client.replace(
              refOf(res, current),
              { ...current, spec: { ...spec, holderIdentity: '' } },
              writeOptions(),
            );
          }
        } catch (err) {
          // It expires on its own after its duration.
          options.logger.warn(
            { err: (err as Error).message },
            `could not release Lease ${options.namespace}/${name}`,
          );
        }
      })();
      return closing;
    },
  };
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
