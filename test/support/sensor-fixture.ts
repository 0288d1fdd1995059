import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import { parseManifestText, type Sensor, validateDocument } from '../../crds/index.ts';
import { createCloudEvent, type EventBus, eventSubject, messageId } from '../../eventbus/index.ts';

/** Parses and validates a Sensor manifest written in a test, failing loudly if it is invalid. */
export function sensorFrom(yaml: string): Sensor {
  const { documents, issues } = parseManifestText('test-sensor.yaml', yaml);
  if (issues.length > 0 || documents.length !== 1)
    throw new Error(`bad test manifest: ${JSON.stringify(issues)}`);
  const verdict = validateDocument(documents[0]!);
  if (verdict.status !== 'valid')
    throw new Error(
      `invalid test sensor: ${verdict.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  return verdict.object as Sensor;
}

/** Publishes an event as EventSource `source`, event `event` would. */
export async function publishEvent(
  bus: EventBus,
  source: string,
  event: string,
  data: unknown,
  id: string = randomUUID(),
) {
  return bus.publish(
    eventSubject(bus.name, source, event),
    createCloudEvent({ id, source, type: 'webhook', subject: event, data }),
    {
      msgId: messageId(source, event, id),
    },
  );
}

export function sensorServices(bus: EventBus) {
  return { bus, logger: silentLogger(), metrics: new Metrics(), secrets: createSecretResolver({ env: {} }) };
}
