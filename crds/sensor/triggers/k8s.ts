import { type Static, Type } from '@sinclair/typebox';
import { Enum, Obj, Opt } from '../../schema-kit.ts';
import { ArtifactLocation } from '../artifact.ts';
import { TriggerParameter } from '../parameters.ts';

export const K8S_OPERATIONS = ['create', 'update', 'patch', 'delete'] as const;
export const K8sOperation = Enum(
  K8S_OPERATIONS,
  'What is done with the resource: create (default), update, patch or delete.',
);
export type K8sOperation = Static<typeof K8sOperation>;

export const PATCH_STRATEGIES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export const PatchStrategy = Enum(
  PATCH_STRATEGIES,
  'Patch type sent with operation patch. Default application/merge-patch+json.',
);
export type PatchStrategy = Static<typeof PatchStrategy>;

/** Creates, updates, patches or deletes a Kubernetes resource. */
export const StandardK8STrigger = Obj(
  {
    source: ArtifactLocation,
    operation: Opt(K8sOperation),
    parameters: Opt(Type.Array(TriggerParameter, { description: 'Patch the resource from the events.' })),
    patchStrategy: Opt(PatchStrategy),
    liveObject: Opt(
      Type.Boolean({
        description:
          'With operation update, read the current object from the cluster (by apiVersion, kind, name and namespace of the manifest) instead of using the manifest.',
      }),
    ),
    forceConflicts: Opt(
      Type.Boolean({
        description:
          'Impulse field. With patchStrategy application/apply-patch+yaml, take over fields another field manager owns instead of failing with a conflict (kubectl apply --server-side --force-conflicts).',
      }),
    ),
  },
  'Acts on a Kubernetes resource.',
);
export type StandardK8STrigger = Static<typeof StandardK8STrigger>;
