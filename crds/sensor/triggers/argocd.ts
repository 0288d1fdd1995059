import { type Static, Type } from '@sinclair/typebox';
import { SecretKeySelector, TLSConfig } from '../../common.ts';
import { Enum, Obj, Opt } from '../../schema-kit.ts';
import { TriggerParameter } from '../parameters.ts';

/** How the trigger reaches Argo CD. */
export const ARGOCD_MODES = ['rest', 'kubernetes'] as const;
/** Argo CD's sync strategies: hooks run (the default), or a plain apply without hooks. */
export const ARGOCD_STRATEGIES = ['hook', 'apply'] as const;

/** One resource to sync when only some of the application's should be. */
export const ArgoCdSyncResource = Obj(
  {
    group: Opt(Type.String({ description: 'API group; empty for the core group.' })),
    kind: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    namespace: Opt(Type.String()),
  },
  'A resource of the application to sync.',
);
export type ArgoCdSyncResource = Static<typeof ArgoCdSyncResource>;

/** Starts a sync of an Argo CD Application (an Impulse trigger type; Argo Events has none). */
export const ArgoCdTrigger = Obj(
  {
    app: Type.String({ minLength: 1, description: 'Name of the Argo CD Application to sync.' }),
    mode: Opt(
      Enum(
        ARGOCD_MODES,
        "rest (default): call the Argo CD API server; kubernetes: set the Application object's `operation` field.",
      ),
    ),
    server: Opt(
      Type.String({
        minLength: 1,
        description: 'Argo CD API server URL, e.g. https://argocd-server.argocd (rest mode).',
      }),
    ),
    token: Opt(SecretKeySelector),
    insecure: Opt(
      Type.Boolean({ description: "Skip verifying the API server's TLS certificate (rest mode)." }),
    ),
    tls: Opt(TLSConfig),
    namespace: Opt(
      Type.String({
        description:
          "The Application's namespace: where the object lives in kubernetes mode (default argocd); sent as appNamespace in rest mode (default: Argo CD's own).",
      }),
    ),
    revision: Opt(
      Type.String({
        description: 'Git revision (commit, tag, branch) to sync to; default the target revision.',
      }),
    ),
    prune: Opt(Type.Boolean({ description: 'Delete resources no longer in Git.' })),
    dryRun: Opt(Type.Boolean({ description: 'Validate the sync without applying anything.' })),
    strategy: Opt(Enum(ARGOCD_STRATEGIES, 'hook (default) runs sync hooks; apply applies without hooks.')),
    syncOptions: Opt(
      Type.Array(Type.String(), {
        description: 'Argo CD sync options, e.g. ServerSideApply=true, CreateNamespace=true.',
      }),
    ),
    resources: Opt(Type.Array(ArgoCdSyncResource, { description: 'Sync only these resources.' })),
    wait: Opt(
      Type.Boolean({
        description:
          'Wait until the operation finishes and report its phase, sync and health status; a failed sync fails the trigger.',
      }),
    ),
    timeout: Opt(
      Type.String({
        description:
          'Go duration bounding the retries while another operation runs, and the wait (default "5m").',
      }),
    ),
    parameters: Opt(
      Type.Array(TriggerParameter, { description: 'Patch this argocd block from the events.' }),
    ),
  },
  'Syncs an Argo CD Application through its API or its Kubernetes object.',
);
export type ArgoCdTrigger = Static<typeof ArgoCdTrigger>;
