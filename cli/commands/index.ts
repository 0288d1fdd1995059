import type { Command } from 'commander';
import { registerController } from './controller.ts';
import { registerConvert } from './convert.ts';
import { registerDev } from './dev.ts';
import { registerDlq } from './dlq.ts';
import { registerEventSource } from './eventsource.ts';
import { registerSend } from './send.ts';
import { registerSensor } from './sensor.ts';
import { registerStatus } from './status.ts';
import { registerSync } from './sync.ts';
import { registerTestSensor } from './test-sensor.ts';
import { registerValidate } from './validate.ts';

/** Every `impulse` subcommand; adding one is one file and one line here. */
export const commands: Record<string, (program: Command) => void> = {
  validate: registerValidate,
  convert: registerConvert,
  eventsource: registerEventSource,
  sensor: registerSensor,
  dev: registerDev,
  send: registerSend,
  dlq: registerDlq,
  'test-sensor': registerTestSensor,
  sync: registerSync,
  status: registerStatus,
  controller: registerController,
};
