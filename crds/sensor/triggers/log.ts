import { type Static, Type } from '@sinclair/typebox';
import { Obj, Opt } from '../../schema-kit.ts';

/** Writes the triggering events to the sensor's log. */
export const LogTrigger = Obj(
  {
    intervalSeconds: Opt(
      Type.Integer({
        minimum: 0,
        description: 'Log at most once per this many seconds; 0 or unset logs every firing.',
      }),
    ),
  },
  'Logs the events that fired the trigger.',
);
export type LogTrigger = Static<typeof LogTrigger>;
