import type { Command } from 'commander';
import { registerConvert } from './convert.ts';
import { registerValidate } from './validate.ts';

/** Every `impulse` subcommand; adding one is one file and one line here. */
export const commands: Record<string, (program: Command) => void> = {
  validate: registerValidate,
  convert: registerConvert,
};
