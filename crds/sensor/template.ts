import { type Static, type TOptional, Type } from '@sinclair/typebox';
import { Obj, Opt } from '../schema-kit.ts';
import { ArgoWorkflowTrigger } from './triggers/argo-workflow.ts';
import { ArgoCdTrigger } from './triggers/argocd.ts';
import { GitOpsTrigger } from './triggers/gitops.ts';
import { HTTPTrigger } from './triggers/http.ts';
import { StandardK8STrigger } from './triggers/k8s.ts';
import { LogTrigger } from './triggers/log.ts';
import { NATSTrigger } from './triggers/nats.ts';

/** The schema of each trigger type Impulse runs. Adding a type is one line here. */
const TRIGGER_SCHEMAS = {
  log: LogTrigger,
  http: HTTPTrigger,
  k8s: StandardK8STrigger,
  argoWorkflow: ArgoWorkflowTrigger,
  nats: NATSTrigger,
  argocd: ArgoCdTrigger,
  gitops: GitOpsTrigger,
} as const;

export type TriggerType = keyof typeof TRIGGER_SCHEMAS;

/** The trigger types Impulse supports: the keys under `template` that select what a trigger does. */
export const TRIGGER_TYPES = Object.keys(TRIGGER_SCHEMAS) as readonly TriggerType[];

/**
 * Trigger types that Argo Events' TriggerTemplate has and Impulse does not run. The schema rejects them
 * as unknown fields; this list lets an error say "not supported" instead.
 */
export const UNSUPPORTED_TRIGGER_TYPES = [
  'awsLambda',
  'custom',
  'kafka',
  'slack',
  'openWhisk',
  'azureEventHubs',
  'pulsar',
  'azureServiceBus',
  'email',
] as const;
export type UnsupportedTriggerType = (typeof UNSUPPORTED_TRIGGER_TYPES)[number];

/** Resets a trigger's partly met conditions on a schedule. */
export const ConditionsResetByTime = Obj(
  {
    cron: Type.String({ minLength: 1, description: 'Five-field cron schedule, e.g. "0 23 * * *".' }),
    timezone: Opt(Type.String({ description: 'IANA time zone of the schedule. Default UTC.' })),
  },
  'A schedule at which the held events are dropped.',
);
export type ConditionsResetByTime = Static<typeof ConditionsResetByTime>;

export const ConditionsResetCriteria = Obj(
  { byTime: ConditionsResetByTime },
  'When the events held for an unfinished condition are dropped.',
);
export type ConditionsResetCriteria = Static<typeof ConditionsResetCriteria>;

type OptionalTriggerSchemas = { [K in TriggerType]: TOptional<(typeof TRIGGER_SCHEMAS)[K]> };
const optionalTriggerSchemas = Object.fromEntries(
  Object.entries(TRIGGER_SCHEMAS).map(([type, schema]) => [type, Opt(schema)]),
) as OptionalTriggerSchemas;

/** What a trigger does: its name, when it fires, and one trigger type. */
export const TriggerTemplate = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Name of the trigger, unique within the sensor.' }),
    conditions: Opt(
      Type.String({
        description:
          'Boolean expression over dependency names, e.g. "(dep01 || dep02) && dep04". Default: all dependencies.',
      }),
    ),
    conditionsReset: Opt(Type.Array(ConditionsResetCriteria)),
    ...optionalTriggerSchemas,
  },
  'The trigger specification: name, conditions and one trigger type.',
);
export type TriggerTemplate = Static<typeof TriggerTemplate>;
