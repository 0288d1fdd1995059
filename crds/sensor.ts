import { type Static, Type } from '@sinclair/typebox';
import { ManifestMetadata, PodTemplate, Status } from './common.ts';
import { Obj, Opt, StringMap } from './schema-kit.ts';
import { EventDependency } from './sensor/dependency.ts';
import { Trigger } from './sensor/trigger.ts';

/** The desired state of a Sensor: the events it waits for and the triggers it fires. */
export const SensorSpec = Obj(
  {
    dependencies: Type.Array(EventDependency, { minItems: 1, description: 'Events the sensor waits for.' }),
    triggers: Type.Array(Trigger, { minItems: 1, description: 'Actions taken when the conditions are met.' }),
    template: Opt(PodTemplate),
    errorOnFailedRound: Opt(
      Type.Boolean({
        description:
          'Stop processing triggers once a round of triggers has failed. Declared but never implemented by Argo Events.',
      }),
    ),
    eventBusName: Opt(
      Type.String({ minLength: 1, default: 'default', description: 'EventBus to read events from.' }),
    ),
    correlationWindow: Opt(
      Type.String({
        description:
          'How long an event waits for its partners under the same correlationKey value (Go duration, default 1h; an Impulse field).',
      }),
    ),
    replicas: Opt(Type.Integer({ minimum: 1, description: 'Number of sensor replicas. Default 1.' })),
    revisionHistoryLimit: Opt(Type.Integer({ minimum: 0, description: 'Old Deployment revisions to keep.' })),
    loggingFields: Opt(
      StringMap(Type.String(), 'Extra key-value pairs added to every log line of the sensor.'),
    ),
  },
  'Sensor specification.',
);
export type SensorSpec = Static<typeof SensorSpec>;

/** A Sensor manifest (`impulse.dev/v1alpha1`, or `argoproj.io/v1alpha1` as an alias). */
export const Sensor = Obj(
  {
    apiVersion: Type.String({ description: 'impulse.dev/v1alpha1 or argoproj.io/v1alpha1.' }),
    kind: Type.Literal('Sensor'),
    metadata: ManifestMetadata,
    spec: SensorSpec,
    status: Opt(Status),
  },
  'Waits for a combination of events and fires triggers.',
);
export type Sensor = Static<typeof Sensor>;

export {
  ArtifactLocation,
  FileArtifact,
  GitArtifact,
  GitCreds,
  GithubAppCreds,
  GitRemoteConfig,
  URLArtifact,
} from './sensor/artifact.ts';
export { EventDependency, EventDependencyTransformer, OutcomeOf } from './sensor/dependency.ts';
export {
  COMPARATORS,
  Comparator,
  DataFilter,
  EventContext,
  EventDependencyFilter,
  ExprFilter,
  JSON_TYPES,
  JSONType,
  LOGICAL_OPERATORS,
  LogicalOperator,
  PayloadField,
  TimeFilter,
} from './sensor/filters.ts';
export {
  HTTPPayloadParameter,
  PARAMETER_OPERATIONS,
  TriggerParameter,
  TriggerParameterOperation,
  TriggerParameterSource,
} from './sensor/parameters.ts';
export {
  K8SResourcePolicy,
  RATE_LIMIT_UNITS,
  RateLimit,
  RateLimitUnit,
  StatusPolicy,
  TriggerPolicy,
} from './sensor/policy.ts';
export {
  ConditionsResetByTime,
  ConditionsResetCriteria,
  TRIGGER_TYPES,
  TriggerTemplate,
  type TriggerType,
  UNSUPPORTED_TRIGGER_TYPES,
  type UnsupportedTriggerType,
} from './sensor/template.ts';
export { DeadLetterTrigger, Trigger } from './sensor/trigger.ts';
export {
  ARGO_WORKFLOW_OPERATIONS,
  ArgoWorkflowOperation,
  ArgoWorkflowTrigger,
} from './sensor/triggers/argo-workflow.ts';
export {
  HTTP_METHODS,
  HTTPMethod,
  HTTPTrigger,
  SecureHeader,
  ValueFromSource,
} from './sensor/triggers/http.ts';
export {
  K8S_OPERATIONS,
  K8sOperation,
  PATCH_STRATEGIES,
  PatchStrategy,
  StandardK8STrigger,
} from './sensor/triggers/k8s.ts';
export { LogTrigger } from './sensor/triggers/log.ts';
export { NATSAuth, NATSTrigger } from './sensor/triggers/nats.ts';
