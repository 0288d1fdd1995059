import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ImpulseError } from '../../core/errors.ts';
import { createCloudEvent, DEFAULT_BUS_URL, eventSubject, messageId } from '../../eventbus/index.ts';
import { openBusForCommand, redactBusUrl } from '../bus-connection.ts';

interface SendOptions {
  source: string;
  event: string;
  type: string;
  id?: string;
  data?: string;
  file?: string;
  bus?: string;
  busName?: string;
  timeout: string;
}

/**
 * `impulse send`: publishes one CloudEvent as if an EventSource had, for trying sensors without a
 * source. Prints the event id and stream sequence once JetStream has stored it.
 */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description('Publish a CloudEvent to the EventBus, as EventSource NAME / event NAME would')
    .requiredOption('--source <name>', 'EventSource name (the CloudEvent source)')
    .requiredOption('--event <name>', 'event name (the CloudEvent subject)')
    .option('--type <type>', 'CloudEvent type: the source type', 'webhook')
    .option('--id <id>', 'event id (default: a new UUIDv7); the same id twice is stored once')
    .option('--data <json>', 'event data as JSON')
    .option('--file <file>', 'read event data (JSON) from a file, or - for standard input')
    .option('--bus <url>', `NATS URL (default: IMPULSE_BUS_URL or ${DEFAULT_BUS_URL})`)
    .option('--bus-name <name>', 'EventBus name (default: IMPULSE_BUS_NAME or "default")')
    .option('--timeout <seconds>', 'give up if the bus does not answer within this time', '10')
    .action(async (options: SendOptions) => {
      const data = parseData(await readData(options), options.file ?? '--data');
      const timeoutMs = Number(options.timeout) * 1000;
      const bus = await openBusForCommand(options, ({ url, name }) =>
        process.stderr.write(`connecting to ${redactBusUrl(url)} (EventBus ${name})\n`),
      );
      try {
        const event = createCloudEvent({
          id: options.id,
          source: options.source,
          type: options.type,
          subject: options.event,
          data,
        });
        const ack = await bus.publish(eventSubject(bus.name, options.source, options.event), event, {
          msgId: messageId(options.source, options.event, event.id),
          timeoutMs,
        });
        process.stdout.write(
          `${ack.duplicate ? 'already stored' : 'stored'}: id ${event.id}, stream ${ack.stream} sequence ${ack.seq}\n`,
        );
      } finally {
        await bus.close();
      }
    });
}

async function readData(options: SendOptions): Promise<string> {
  if (options.data !== undefined && options.file !== undefined) {
    throw new ImpulseError('INVALID_INPUT', 'give the data with --data or --file, not both');
  }
  if (options.data !== undefined) return options.data;
  if (options.file === undefined)
    throw new ImpulseError('INVALID_INPUT', 'give the event data with --data JSON, --file FILE or --file -');
  if (options.file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  return readFile(options.file, 'utf8');
}

function parseData(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `${where}: the event data is not valid JSON (${(err as Error).message})`,
    );
  }
}
