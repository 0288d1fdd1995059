import { type Static, Type } from '@sinclair/typebox';
import { SecretKeySelector } from '../../common.ts';
import { Enum, Obj, Opt } from '../../schema-kit.ts';
import { TriggerParameter } from '../parameters.ts';

/** What a firing does: sync the application (default), or only compare it with Git. */
export const GITOPS_OPERATIONS = ['sync', 'refresh'] as const;
/** When a firing syncs: always (default for `sync`), or only when a refresh finds drift. */
export const GITOPS_SYNC_WHEN = ['Always', 'OutOfSync'] as const;

/** Argo CD's per-application sync options that the sync engine honours. */
export const GITOPS_SYNC_OPTIONS: Record<string, readonly string[]> = {
  CreateNamespace: ['true', 'false'],
  ServerSideApply: ['true', 'false'],
  PruneLast: ['true', 'false'],
  Replace: ['true', 'false'],
  Validate: ['true', 'false'],
  ApplyOutOfSyncOnly: ['true', 'false'],
  SkipDryRunOnMissingResource: ['true', 'false'],
  Force: ['true', 'false'],
  Prune: ['true', 'false'],
  RespectIgnoreDifferences: ['true', 'false'],
  PrunePropagationPolicy: ['foreground', 'background', 'orphan'],
};

/** Argo CD's `ResourceIgnoreDifferences`: fields of live objects that never count as drift. */
export const GitOpsIgnoreDifference = Obj(
  {
    group: Opt(Type.String({ description: 'API group; empty for the core group.' })),
    kind: Type.String({ minLength: 1, description: 'Kind, e.g. Deployment.' }),
    name: Opt(Type.String({ description: 'Only the object of this name.' })),
    namespace: Opt(Type.String({ description: 'Only objects in this namespace.' })),
    jsonPointers: Opt(Type.Array(Type.String(), { description: 'RFC 6901 pointers, e.g. /spec/replicas.' })),
    managedFieldsManagers: Opt(
      Type.Array(Type.String(), {
        description: 'Fields owned by these field managers (e.g. kube-controller-manager) are ignored.',
      }),
    ),
  },
  'Fields that are not compared when deciding whether the application is in sync.',
);
export type GitOpsIgnoreDifference = Static<typeof GitOpsIgnoreDifference>;

/** Argo CD's sync retry: `limit` retries of a failed sync, waiting `duration * factor^n`, at most `maxDuration`. */
export const GitOpsRetry = Obj(
  {
    limit: Opt(
      Type.Integer({
        description:
          'Retries of a failed sync before it counts as failed. Default 0 (no retry), as in Argo CD.',
      }),
    ),
    backoff: Opt(
      Obj({
        duration: Opt(
          Type.String({
            description: 'Wait before the first retry: a Go duration, or a number of seconds. Default 5s.',
          }),
        ),
        factor: Opt(Type.Number({ description: 'Each wait is the previous one times this. Default 2.' })),
        maxDuration: Opt(
          Type.String({ description: 'Longest wait between retries (Go duration or seconds). Default 3m.' }),
        ),
      }),
    ),
  },
  'How a failed sync is retried (Argo CD retry strategy).',
);
export type GitOpsRetry = Static<typeof GitOpsRetry>;

/** Secrets for a private repository; resolved from `<secrets dir>/<name>/<key>` at start. */
export const GitOpsCredentials = Obj(
  {
    username: Opt(SecretKeySelector),
    password: Opt(SecretKeySelector),
    sshPrivateKey: Opt(SecretKeySelector),
  },
  'Repository credentials: username and password (or token) for HTTPS, or an SSH private key.',
);
export type GitOpsCredentials = Static<typeof GitOpsCredentials>;

/**
 * Syncs an application from Git with Impulse's sync engine (Argo CD's phases, hooks and waves). The
 * application fields are Argo CD's; every one can be set from the event through `parameters`
 * (typically `revision` from the pushed commit). An Impulse trigger type.
 */
export const GitOpsTrigger = Obj(
  {
    name: Opt(
      Type.String({
        description:
          'Application name (a DNS label). Its objects carry the label impulse.dev/app=<name>. Required, here or through parameters.',
      }),
    ),
    repoURL: Opt(
      Type.String({
        description:
          'Git repository: file://, http(s)://, git:// or ssh. Required, here or through parameters.',
      }),
    ),
    revision: Opt(
      Type.String({ description: 'Branch, tag or commit to sync (Argo CD targetRevision). Default HEAD.' }),
    ),
    path: Opt(Type.String({ description: 'Folder of the manifests inside the repository. Default ".".' })),
    destination: Opt(
      Obj({
        namespace: Type.String({ description: 'Namespace the namespaced objects go to.' }),
      }),
    ),
    directory: Opt(
      Obj({
        recurse: Opt(Type.Boolean({ description: 'Read manifests in sub-folders too.' })),
        include: Opt(Type.String({ description: 'Glob of the files to read, e.g. "{*.yaml,*.yml}".' })),
        exclude: Opt(Type.String({ description: 'Glob of the files to skip.' })),
      }),
    ),
    syncOptions: Opt(
      Type.Array(Type.String(), {
        description:
          'Argo CD sync options, e.g. CreateNamespace=true, ServerSideApply=false, PruneLast=true.',
      }),
    ),
    prune: Opt(Type.Boolean({ description: 'Delete objects of the application that are no longer in Git.' })),
    dryRun: Opt(Type.Boolean({ description: 'Validate every object with the API server without applying.' })),
    ignoreDifferences: Opt(Type.Array(GitOpsIgnoreDifference)),
    retry: Opt(GitOpsRetry),
    credentials: Opt(GitOpsCredentials),
    operation: Opt(
      Enum(GITOPS_OPERATIONS, 'sync (default) applies the revision; refresh only compares and reports.'),
    ),
    syncWhen: Opt(
      Enum(
        GITOPS_SYNC_WHEN,
        'Always (default for operation sync), or OutOfSync: refresh first and sync only when it found drift.',
      ),
    ),
    waveDelay: Opt(
      Type.String({ description: 'Pause between sync waves (Go duration). Default 2s, as in Argo CD.' }),
    ),
    waveTimeout: Opt(
      Type.String({ description: 'Longest wait for one wave to become healthy (Go duration). Default 5m.' }),
    ),
    kubeconfig: Opt(
      Type.String({
        description:
          'Kubeconfig file of the cluster to sync to. Default: the pod service account, else KUBECONFIG, else ~/.kube/config.',
      }),
    ),
    parameters: Opt(
      Type.Array(TriggerParameter, {
        description: 'Set fields of this gitops block from the events, e.g. dest: revision.',
      }),
    ),
  },
  'Syncs (or refreshes) a GitOps application with the built-in sync engine.',
);
export type GitOpsTrigger = Static<typeof GitOpsTrigger>;
