import type { Command } from 'commander';
import { loadSingle, releaseValidators } from '../../crds/index.ts';
import { addProcessOptions, type ProcessOptions, runProcess } from '../process.ts';

/** `impulse sensor -f FILE`: runs one Sensor until SIGTERM. */
export function registerSensor(program: Command): void {
  addProcessOptions(
    program.command('sensor').description('Run a Sensor: correlate events and fire its triggers'),
  ).action(async (options: ProcessOptions) => {
    const { object, eventBus } = await loadSingle(options.file, 'Sensor');
    releaseValidators();
    // Loaded here, not at the top, so a sensor process never loads the webhook server stack.
    const { startSensor, closeDefaultScriptRunner } = await import('../../sensors/index.ts');
    await runProcess(
      'sensor',
      {
        ...options,
        busObject: eventBus,
        eventBusName: object.spec.eventBusName,
        objectName: object.metadata.name!,
      },
      (services) => startSensor(object, services),
    );
    await closeDefaultScriptRunner();
  });
}
