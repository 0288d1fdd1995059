import { type Static, Type } from '@sinclair/typebox';
import { ConfigMapKeySelector, S3Artifact, SecretKeySelector } from '../common.ts';
import { Embedded, Obj, Opt } from '../schema-kit.ts';

/** A file on the sensor's own file system (for example a mounted volume). */
export const FileArtifact = Obj(
  { path: Opt(Type.String({ description: 'Path of the file.' })) },
  'A manifest read from a local file.',
);
export type FileArtifact = Static<typeof FileArtifact>;

/**
 * A manifest fetched over HTTP(S). Argo Events reads JSON field names case-insensitively and its own
 * url-sensor example writes `verifycert`, so that spelling is accepted too; `verifyCert` wins if both are set.
 */
export const URLArtifact = Obj(
  {
    path: Type.String({ minLength: 1, description: 'URL to fetch the manifest from.' }),
    verifyCert: Opt(
      Type.Boolean({
        description:
          "Verify the server's TLS certificate. Default true in Impulse (Argo Events leaves it unverified unless this is true); set false for a self-signed server.",
      }),
    ),
    verifycert: Opt(
      Type.Boolean({ description: 'Spelling of verifyCert accepted for Argo Events manifests.' }),
    ),
  },
  'A manifest fetched over HTTP(S).',
);
export type URLArtifact = Static<typeof URLArtifact>;

/** Username and password for cloning over HTTPS. */
export const GitCreds = Obj({
  username: Opt(SecretKeySelector),
  password: Opt(SecretKeySelector),
});
export type GitCreds = Static<typeof GitCreds>;

/** An extra remote to fetch from, as with `git remote add`. */
export const GitRemoteConfig = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Name of the remote.' }),
    urls: Type.Array(Type.String(), {
      minItems: 1,
      description: 'URLs of the remote; the first is fetched from.',
    }),
  },
  'An additional git remote.',
);
export type GitRemoteConfig = Static<typeof GitRemoteConfig>;

/** Credentials of a GitHub App installation, used instead of a personal token. */
export const GithubAppCreds = Obj(
  {
    privateKey: SecretKeySelector,
    appID: Type.Integer({ minimum: 1, description: 'GitHub App id.' }),
    installationID: Type.Integer({ minimum: 1, description: 'Id of the installation of the app.' }),
  },
  'GitHub App credentials.',
);
export type GithubAppCreds = Static<typeof GithubAppCreds>;

export const GitArtifact = Obj(
  {
    url: Type.String({ minLength: 1, description: 'Repository URL (https:// or git@).' }),
    cloneDirectory: Type.String({ minLength: 1, description: 'Directory the repository is cloned into.' }),
    creds: Opt(GitCreds),
    sshKeySecret: Opt(SecretKeySelector),
    filePath: Type.String({ minLength: 1, description: 'Path of the manifest inside the repository.' }),
    branch: Opt(Type.String({ description: 'Branch to check out.' })),
    tag: Opt(Type.String({ description: 'Tag to check out.' })),
    ref: Opt(Type.String({ description: 'Git reference to check out, e.g. refs/heads/main or a commit.' })),
    remote: Opt(GitRemoteConfig),
    insecureIgnoreHostKey: Opt(Type.Boolean({ description: "Skip checking the SSH server's host key." })),
    githubApp: Opt(GithubAppCreds),
  },
  'A manifest read from a git repository.',
);
export type GitArtifact = Static<typeof GitArtifact>;

/** Where a trigger's Kubernetes manifest comes from; set exactly one location. */
export const ArtifactLocation = Obj(
  {
    s3: Opt(S3Artifact),
    inline: Opt(Type.String({ description: 'The manifest itself, as a YAML or JSON string.' })),
    file: Opt(FileArtifact),
    url: Opt(URLArtifact),
    configmap: Opt(ConfigMapKeySelector),
    git: Opt(GitArtifact),
    resource: Opt(Embedded('The manifest itself, as an embedded object.')),
  },
  'Where the manifest of the resource comes from.',
);
export type ArtifactLocation = Static<typeof ArtifactLocation>;
