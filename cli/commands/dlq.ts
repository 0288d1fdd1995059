import type { Command } from 'commander';
import { ImpulseError } from '../../core/errors.ts';
import {
  DEFAULT_BUS_URL,
  type DeadLetter,
  type DeadLetterFilter,
  type EventBus,
} from '../../eventbus/index.ts';
import { openBusForCommand } from '../bus-connection.ts';

interface DlqOptions {
  sensor?: string;
  namespace?: string;
  trigger?: string;
  bus?: string;
  busName?: string;
  timeout: string;
}

/**
 * `impulse dlq list|redrive`: the dead letters of an EventBus. `list` shows them (`--json` for the
 * whole letters); `redrive` sends them back through their sensor's trigger, with the same events
 * and so the same firing id, and removes them from the dead-letter stream once the request is stored.
 * A redriven firing that fails again becomes a new dead letter.
 */
export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('List dead letters, or send them through their sensor again');
  const common = (command: Command) =>
    command
      .option('--sensor <name>', 'only the dead letters of this sensor')
      .option('--namespace <name>', 'only those of sensors in this namespace')
      .option('--trigger <name>', 'only those of this trigger')
      .option('--bus <url>', `NATS URL (default: IMPULSE_BUS_URL or ${DEFAULT_BUS_URL})`)
      .option('--bus-name <name>', 'EventBus name (default: IMPULSE_BUS_NAME or "default")')
      .option('--timeout <seconds>', 'give up if the bus does not answer within this time', '10');

  common(dlq.command('list').description('Show the dead letters, oldest first'))
    .option('--json', 'print the dead letters as JSON, events included')
    .action(async (options: DlqOptions & { json?: boolean }) => {
      await withBus(options, async (bus) => {
        const letters = await (await bus.deadLetters()).list(filterOf(options));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
          return;
        }
        if (letters.length === 0) {
          process.stdout.write('no dead letters\n');
          return;
        }
        process.stdout.write(`${table(letters)}\n`);
      });
    });

  common(dlq.command('redrive').description('Send dead letters through their trigger again'))
    .option('--id <id>', 'only the dead letter with this id')
    .action(async (options: DlqOptions & { id?: string }) => {
      await withBus(options, async (bus) => {
        const { publishRedrive } = await import('../../sensors/index.ts');
        const queue = await bus.deadLetters();
        const letters = (await queue.list(filterOf(options))).filter(
          (l) => !options.id || l.id === options.id,
        );
        if (options.id && letters.length === 0) {
          throw new ImpulseError(
            'NOT_FOUND',
            `no dead letter with id ${options.id}${options.sensor ? ` for sensor ${options.sensor}` : ''}`,
          );
        }
        for (const letter of letters) {
          await publishRedrive(bus, letter);
          await queue.remove(letter.id);
          process.stdout.write(
            `redriven: ${letter.id} (${letter.namespace}/${letter.sensor}/${letter.trigger}, firing ${letter.firingId})\n`,
          );
        }
        if (letters.length === 0) process.stdout.write('no dead letters to redrive\n');
      });
    });
}

function filterOf(options: DlqOptions): DeadLetterFilter {
  return {
    ...(options.sensor ? { sensor: options.sensor } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.trigger ? { trigger: options.trigger } : {}),
  };
}

async function withBus(options: DlqOptions, work: (bus: EventBus) => Promise<void>): Promise<void> {
  const bus = await openBusForCommand(options);
  try {
    await work(bus);
  } finally {
    await bus.close();
  }
}

function table(letters: DeadLetter[]): string {
  const rows = [
    ['ID', 'STORED', 'SENSOR', 'TRIGGER', 'REASON', 'ATTEMPTS', 'ERROR'],
    ...letters.map((l) => [
      l.id,
      l.at,
      `${l.namespace}/${l.sensor}`,
      l.trigger,
      l.reason,
      String(l.attempts),
      `${l.error.code}: ${l.error.message}`.slice(0, 120),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
    .join('\n');
}
