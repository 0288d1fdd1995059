import { type Static, Type } from '@sinclair/typebox';
import { Backoff } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { TriggerParameter } from './parameters.ts';
import { RateLimit, TriggerPolicy } from './policy.ts';
import { TriggerTemplate } from './template.ts';

/** The fields every trigger has; a dead-letter trigger has these and nothing more. */
const triggerFields = () => ({
  template: TriggerTemplate,
  parameters: Opt(
    Type.Array(TriggerParameter, {
      description: 'Patch the trigger template itself (dest is relative to it) from the events.',
    }),
  ),
  policy: Opt(TriggerPolicy),
  retryStrategy: Opt(Backoff),
  rateLimit: Opt(RateLimit),
  atLeastOnce: Opt(
    Type.Boolean({
      description: 'Acknowledge the events only after the trigger has succeeded (or been dead-lettered).',
    }),
  ),
});

/**
 * The trigger fired with the events of a firing that failed all its retries. It cannot have a dead-letter
 * trigger of its own, which also keeps the schema non-recursive (and so expressible as a CRD schema).
 */
export const DeadLetterTrigger = Obj(triggerFields(), 'Trigger fired with the events of a failed firing.');
export type DeadLetterTrigger = Static<typeof DeadLetterTrigger>;

/** An action the sensor takes when its conditions are met. */
export const Trigger = Obj(
  { ...triggerFields(), dlqTrigger: Opt(DeadLetterTrigger) },
  'An action the sensor takes, with its retry, rate-limit and dead-letter settings.',
);
export type Trigger = Static<typeof Trigger>;
