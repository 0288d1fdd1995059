import type { Logger } from '../core/logger.ts';
import type { ClusterApi, KubeObject } from './cluster-api.ts';
import type { EventRecorder } from './events.ts';
import type { ImpulseKind } from './status.ts';

/** What a reconciler works with. */
export interface ReconcileContext {
  api: ClusterApi;
  events: EventRecorder;
  logger: Logger;
  /** The image EventSource and Sensor pods run (`impulse`). */
  image: string;
  /** The NATS image repository of managed EventBuses (the EventBus's `version` is the tag). */
  natsImage: string;
  signal: AbortSignal;
}

/** Reconciles one object; resolves with a delay after which to look again, if one is wanted. */
export type Reconciler = (
  ctx: ReconcileContext,
  namespace: string,
  name: string,
) => Promise<number | undefined>;

export const API_VERSION = 'impulse.dev/v1alpha1';

/** Reads one of Impulse's objects; undefined when gone or being deleted (the garbage collector cleans up). */
export async function readLive(
  ctx: ReconcileContext,
  kind: ImpulseKind,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  const object = await ctx.api.read({ apiVersion: API_VERSION, kind }, namespace, name);
  if (!object || object.metadata?.deletionTimestamp) return undefined;
  return object;
}
