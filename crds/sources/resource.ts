import { type Static, Type } from '@sinclair/typebox';
import { Metadata } from '../common.ts';
import { Enum, Obj, Opt } from '../schema-kit.ts';

/** Kubernetes selector operators, as `k8s.io/apimachinery/pkg/selection` spells them. */
export const SELECTOR_OPERATIONS = ['=', '==', '!=', 'in', 'notin', 'exists', '!', 'gt', 'lt'] as const;

/** One requirement on a label (or, in `fields`, on a path of the object). */
export const ResourceSelector = Obj({
  key: Type.String({ minLength: 1, description: 'Label key, or for `fields` a path into the object.' }),
  operation: Opt(Enum(SELECTOR_OPERATIONS, 'Comparison; unset means `=`.')),
  value: Opt(
    Type.String({
      description: 'Value to compare with; comma-separated for `in`/`notin`, a regex for `fields`.',
    }),
  ),
});
export type ResourceSelector = Static<typeof ResourceSelector>;

/** Which objects of the watched resource produce events. */
export const ResourceFilter = Obj({
  prefix: Opt(Type.String({ description: 'Only objects whose name starts with this.' })),
  labels: Opt(Type.Array(ResourceSelector, { description: 'Label requirements, all of which must hold.' })),
  fields: Opt(
    Type.Array(ResourceSelector, { description: 'Requirements on object fields, all of which must hold.' }),
  ),
  createdBy: Opt(
    Type.String({ format: 'date-time', description: 'Only objects created before this time (RFC 3339).' }),
  ),
  afterStart: Opt(Type.Boolean({ description: 'Only events that happen after the source has started.' })),
});
export type ResourceFilter = Static<typeof ResourceFilter>;

/** Kinds of change to a Kubernetes object. */
export const RESOURCE_EVENT_TYPES = ['ADD', 'UPDATE', 'DELETE'] as const;

/** One `spec.resource.<event>` entry: changes to Kubernetes objects of one resource type. */
export const ResourceEventSource = Obj(
  {
    namespace: Opt(Type.String({ description: 'Namespace to watch; empty watches all namespaces.' })),
    filter: Opt(ResourceFilter),
    group: Opt(
      Type.String({ description: 'API group, e.g. apps or argoproj.io; empty for the core group.' }),
    ),
    version: Type.String({ minLength: 1, description: 'API version, e.g. v1.' }),
    resource: Type.String({ minLength: 1, description: 'Plural resource name, e.g. deployments.' }),
    eventTypes: Type.Array(Enum(RESOURCE_EVENT_TYPES), {
      minItems: 1,
      description: 'Which changes produce events.',
    }),
    metadata: Opt(Metadata),
  },
  'Changes (add, update, delete) to Kubernetes objects of one resource type.',
);
export type ResourceEventSource = Static<typeof ResourceEventSource>;
