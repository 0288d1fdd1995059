import type { Command } from 'commander';
import { ImpulseError } from '../../core/errors.ts';
import { createSecretResolver } from '../../core/secrets.ts';
import { formatIssue, loadSingle } from '../../crds/index.ts';
import { explainSensor } from '../../sensors/explain.ts';
import { readEventFiles } from '../test-sensor/events.ts';
import { renderExplanation } from '../test-sensor/render.ts';

interface TestSensorOptions {
  event: string[];
  source?: string;
  eventName?: string;
  type: string;
  time?: string;
  json?: boolean;
}

/**
 * `impulse test-sensor SENSOR --event FILE...`: evaluates a Sensor against events without executing
 * anything and shows, per event, every filter's verdict and reason, then the triggers that would
 * fire, resolved (the HTTP request, the Kubernetes object, ...) with secrets masked. Exit 0 when it
 * ran, whatever the verdicts; 1 for an invalid Sensor, 2 for an event file it cannot use.
 */
export function registerTestSensor(program: Command): void {
  program
    .command('test-sensor')
    .description(
      'Show why events do or do not fire a Sensor’s triggers, and what the triggers would do, without executing anything',
    )
    .argument('<sensor>', 'the Sensor manifest (YAML or JSON)')
    .requiredOption(
      '--event <files...>',
      'event files, in order: CloudEvents as JSON, or bare payloads with --source and --event-name',
    )
    .option('--source <name>', 'EventSource name that bare payloads come from')
    .option('--event-name <name>', 'event name of bare payloads')
    .option('--type <type>', 'source type of bare payloads (the CloudEvent type)', 'webhook')
    .option(
      '--time <time>',
      'event time (RFC 3339) of bare payloads and CloudEvents without one; default now',
    )
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: TestSensorOptions) => {
      let time: Date | undefined;
      if (options.time !== undefined) {
        time = new Date(options.time);
        if (Number.isNaN(time.getTime()))
          throw new ImpulseError('INVALID_INPUT', `--time: "${options.time}" is not a time (use RFC 3339)`);
      }
      const { object, warnings } = await loadSingle(file, 'Sensor');
      for (const warning of warnings) process.stderr.write(`${formatIssue(warning)}\n`);
      const events = await readEventFiles(options.event, {
        source: options.source,
        eventName: options.eventName,
        type: options.type,
        time,
      });
      const explanation = explainSensor(object, events, createSecretResolver());
      process.stdout.write(
        options.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation),
      );
    });
}
