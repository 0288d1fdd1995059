import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import { type EventSource, parseManifestText, validateDocument } from '../../crds/index.ts';
import {
  type CloudEvent,
  createJetStreamBus,
  type EventBus,
  type Subscription,
} from '../../eventbus/index.ts';
import { type EventSourceHandle, runEventSource } from '../../eventsources/index.ts';
import { testBusName } from '../support/jetstream.ts';
import { type NatsServer, startNatsServer } from '../support/nats-server.ts';

/** Parses and validates an EventSource manifest written in a test, failing loudly if it is invalid. */
export function eventSourceFrom(yaml: string): EventSource {
  const { documents, issues } = parseManifestText('test-eventsource.yaml', yaml);
  if (issues.length > 0 || documents.length !== 1)
    throw new Error(`bad test manifest: ${JSON.stringify(issues)}`);
  const verdict = validateDocument(documents[0]!);
  if (verdict.status !== 'valid') {
    throw new Error(
      `invalid test EventSource: ${verdict.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  return verdict.object as EventSource;
}

/**
 * A private nats-server (a test may stop and start it), a JetStream bus on it, and a reader that
 * collects every event stored, for tests of a source across a bus outage.
 */
export interface BusWorld extends AsyncDisposable {
  readonly nats: NatsServer;
  readonly bus: EventBus;
  /** Every event stored on the bus, in stream order. */
  readonly events: CloudEvent[];
  /** Runs an EventSource on this bus (secrets from `env`), stopped when the world closes. */
  run(object: EventSource, env?: NodeJS.ProcessEnv): Promise<EventSourceHandle>;
  close(): Promise<void>;
}

export async function busWorld(): Promise<BusWorld> {
  const nats = await startNatsServer();
  const name = testBusName();
  const bus = await createJetStreamBus({ url: nats.url, name });
  const events: CloudEvent[] = [];
  const reader: Subscription = await bus.subscribe({ durable: 'reader', filterSubject: `${name}.>` });
  void (async () => {
    for await (const message of reader) {
      events.push(message.event);
      await message.ack().catch(() => undefined);
    }
  })().catch(() => undefined);
  const handles: EventSourceHandle[] = [];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const handle of handles) await handle.close().catch(() => undefined);
      await reader.close().catch(() => undefined);
      await bus.close().catch(() => undefined);
      await nats.close();
    })();
    return closing;
  };
  return {
    nats,
    bus,
    events,
    async run(object, env = {}) {
      const handle = await runEventSource(object, {
        bus,
        logger: silentLogger(),
        metrics: new Metrics(),
        secrets: createSecretResolver({ env }),
        leases: false,
      });
      handles.push(handle);
      return handle;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
