import { type Static, Type } from '@sinclair/typebox';
import { Backoff } from '../common.ts';
import { Enum, Obj, Opt, StringMap } from '../schema-kit.ts';

/** Decides whether a created Kubernetes resource succeeded by watching for labels on it. */
export const K8SResourcePolicy = Obj(
  {
    labels: StringMap(Type.String(), 'Labels that mark the resource as successful once they appear on it.'),
    backoff: Opt(Backoff),
    errorOnBackoffTimeout: Opt(
      Type.Boolean({
        description: 'Count the trigger as failed when the labels have not appeared after the backoff.',
      }),
    ),
  },
  'Success criteria for a trigger that creates a Kubernetes resource.',
);
export type K8SResourcePolicy = Static<typeof K8SResourcePolicy>;

/** Response status codes that count as success for an HTTP trigger. */
export const StatusPolicy = Obj(
  {
    allow: Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), {
      description: 'HTTP status codes that count as success.',
    }),
  },
  'Success criteria for an HTTP trigger.',
);
export type StatusPolicy = Static<typeof StatusPolicy>;

/** How the outcome of a trigger is judged. */
export const TriggerPolicy = Obj(
  {
    k8s: Opt(K8SResourcePolicy),
    status: Opt(StatusPolicy),
  },
  'How a trigger decides whether it succeeded.',
);
export type TriggerPolicy = Static<typeof TriggerPolicy>;

export const RATE_LIMIT_UNITS = ['Second', 'Minute', 'Hour'] as const;
export const RateLimitUnit = Enum(
  RATE_LIMIT_UNITS,
  'Period the limit applies to: Second (default), Minute or Hour.',
);
export type RateLimitUnit = Static<typeof RateLimitUnit>;

/** At most `requestsPerUnit` firings of the trigger per `unit`. */
export const RateLimit = Obj(
  {
    unit: Opt(RateLimitUnit),
    requestsPerUnit: Type.Integer({ minimum: 1, description: 'Firings allowed per unit.' }),
  },
  'Caps how often the trigger fires.',
);
export type RateLimit = Static<typeof RateLimit>;
