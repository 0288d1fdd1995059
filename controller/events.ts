import type { Logger } from '../core/logger.ts';
import type { ClusterApi, KubeObject } from './cluster-api.ts';

export type EventType = 'Normal' | 'Warning';

/**
 * Records Kubernetes Events (`core/v1`) about an object, so `kubectl describe` shows what the
 * controller did: `Created Deployment web-eventsource`, `InvalidSpec ...`. Failing to record an
 * event is logged, never fatal.
 */
export class EventRecorder {
  constructor(
    private readonly api: ClusterApi,
    private readonly identity: string,
    private readonly logger: Logger,
  ) {}

  async record(about: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const meta = about.metadata ?? {};
    // client-node's typed serializer needs Date objects for the time fields.
    const now = new Date();
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${meta.name}.`, namespace: meta.namespace },
      involvedObject: {
        apiVersion: about.apiVersion,
        kind: about.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      type,
      reason,
      // The API server refuses event messages over 1 KiB.
      message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
      source: { component: 'impulse-controller' },
      reportingComponent: 'impulse.dev/controller',
      reportingInstance: this.identity,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.logger.info({ object: `${about.kind} ${meta.namespace}/${meta.name}`, type, reason }, message);
    try {
      await this.api.create(event as unknown as KubeObject);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, reason }, 'could not record a Kubernetes Event');
    }
  }
}
