import type { Command } from 'commander';
import { loadSingle, releaseValidators } from '../../crds/index.ts';
import { addProcessOptions, type ProcessOptions, runProcess } from '../process.ts';

/** `impulse eventsource -f FILE`: runs one EventSource until SIGTERM. */
export function registerEventSource(program: Command): void {
  addProcessOptions(
    program
      .command('eventsource')
      .description('Run an EventSource: publish the events it receives to the EventBus'),
  ).action(async (options: ProcessOptions) => {
    const { object, eventBus } = await loadSingle(options.file, 'EventSource');
    releaseValidators();
    // Loaded here, not at the top: a sensor process never needs the HTTP server stack, and the other
    // way round (each module costs resident memory in every process).
    const { runEventSource } = await import('../../eventsources/index.ts');
    await runProcess(
      'eventsource',
      {
        ...options,
        busObject: eventBus,
        eventBusName: object.spec.eventBusName,
        objectName: object.metadata.name!,
      },
      (services) => runEventSource(object, services),
    );
  });
}
