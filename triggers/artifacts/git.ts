import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImpulseError, toImpulseError } from '../../core/errors.ts';
import { redactGitText, runGit as runGitCommand } from '../../core/git.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import type { GitArtifact } from '../../crds/index.ts';

/** Path parts Argo Events refuses in `filePath` and `cloneDirectory`; so does Impulse. */
export const GIT_PATH_FORBIDDEN = ['..', '~', '\\'];

/** How long one git command may run. */

/** One git command at a time per clone directory: two firings must not fight over its lock files. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Reads `filePath` from a git repository with the system `git` (spawned with an argument array,
 * never a shell, `GIT_TERMINAL_PROMPT=0`). The repository is kept in `cloneDirectory` and fetched
 * again on every read, so a firing sees the latest commit of `branch`, the `tag`, or `ref` (a ref name
 * or a commit); with none of them, the remote's default branch. The file is read from the fetched
 * commit (`git show`), without a work tree, and a symbolic link is refused as in Argo Events.
 * Credentials: `creds` (HTTP basic, sent as an `http.extraHeader` through git's environment, never on
 * the command line), `sshKeySecret` (a key file for ssh), or `githubApp` (an installation token).
 */
export function readGit(git: GitArtifact, secrets: SecretResolver, signal?: AbortSignal): Promise<string> {
  const dir = git.cloneDirectory;
  const previous = queues.get(dir) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => readSerialized(git, secrets, signal));
  queues.set(dir, run);
  const forget = () => {
    if (queues.get(dir) === run) queues.delete(dir);
  };
  run.then(forget, forget);
  return run;
}

async function readSerialized(
  git: GitArtifact,
  secrets: SecretResolver,
  signal?: AbortSignal,
): Promise<string> {
  for (const [field, value] of [
    ['filePath', git.filePath],
    ['cloneDirectory', git.cloneDirectory],
  ] as const) {
    const bad = GIT_PATH_FORBIDDEN.find((part) => value.includes(part));
    if (bad) throw new ImpulseError('INVALID_INPUT', `source.git.${field}: "${bad}" is not allowed`);
  }
  const auth = await gitAuth(git, secrets);
  try {
    const dir = git.cloneDirectory;
    const remote = git.remote?.name ?? 'origin';
    const url = git.remote?.urls[0] ?? git.url;
    await mkdir(dir, { recursive: true });
    const exists = await stat(join(dir, '.git')).then(
      () => true,
      () => false,
    );
    if (!exists) await runGit(['init', '--quiet', dir], auth.env, signal);
    const remotes = (await runGit(['-C', dir, 'remote'], auth.env, signal)).split('\n');
    await runGit(
      ['-C', dir, 'remote', remotes.includes(remote) ? 'set-url' : 'add', remote, url],
      auth.env,
      signal,
    );
    const wanted =
      git.ref ?? (git.tag ? `refs/tags/${git.tag}` : git.branch ? `refs/heads/${git.branch}` : 'HEAD');
    // A commit id cannot be fetched by name from every server (nor over dumb HTTP): fetch the
    // branches and tags, which contain it. Anything else is fetched by name into FETCH_HEAD.
    const commit = /^[0-9a-f]{40}$/i.test(wanted);
    const refspecs = commit
      ? [`+refs/heads/*:refs/remotes/${remote}/*`, '+refs/tags/*:refs/tags/*']
      : [wanted];
    await runGit(
      ['-C', dir, 'fetch', '--quiet', '--force', '--no-tags', remote, ...refspecs],
      auth.env,
      signal,
    );
    const target = commit ? wanted : 'FETCH_HEAD';
    const entry = await runGit(['-C', dir, 'ls-tree', target, '--', git.filePath], auth.env, signal);
    if (entry.trim() === '') {
      throw new ImpulseError(
        'PERMANENT',
        `source.git: ${git.filePath} does not exist at ${wanted} of ${redactGitText(url)}`,
      );
    }
    const mode = entry.split(/\s/)[0];
    if (mode === '120000') {
      throw new ImpulseError(
        'PERMANENT',
        `source.git: ${git.filePath} is a symbolic link, which is not allowed`,
      );
    }
    if (mode !== '100644' && mode !== '100755') {
      throw new ImpulseError('PERMANENT', `source.git: ${git.filePath} is not a file`);
    }
    return await runGit(['-C', dir, 'show', `${target}:${git.filePath}`], auth.env, signal);
  } finally {
    await auth.cleanup();
  }
}

interface GitAuth {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function gitAuth(git: GitArtifact, secrets: SecretResolver): Promise<GitAuth> {
  const none = { env: {}, cleanup: async () => undefined };
  if (git.creds && (git.creds.username || git.creds.password)) {
    const user = git.creds.username ? secrets.get(git.creds.username) : '';
    const pass = git.creds.password ? secrets.get(git.creds.password) : '';
    return { env: basicAuthEnv(user, pass), cleanup: none.cleanup };
  }
  if (git.githubApp) {
    throw new ImpulseError(
      'UNSUPPORTED',
      'source.git.githubApp: GitHub App credentials are not supported yet; use creds with an installation or personal access token',
    );
  }
  if (git.sshKeySecret) {
    const dir = await mkdtemp(join(tmpdir(), 'impulse-git-ssh-'));
    const keyFile = join(dir, 'key');
    const key = secrets.get(git.sshKeySecret);
    await writeFile(keyFile, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
    // GIT_SSH_COMMAND is split by git on white space, so the path must not contain any.
    const hostKey = git.insecureIgnoreHostKey
      ? ' -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
      : ' -o StrictHostKeyChecking=yes';
    return {
      env: { GIT_SSH_COMMAND: `ssh -i ${keyFile} -o IdentitiesOnly=yes -o BatchMode=yes${hostKey}` },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  }
  return none;
}

/** HTTP basic credentials as git configuration in the environment (GIT_CONFIG_COUNT, git >= 2.31). */
function basicAuthEnv(user: string, pass: string): Record<string, string> {
  const token = Buffer.from(`${user}:${pass}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${token}`,
  };
}

/** Runs git (core/git.ts), naming the manifest source in a failure. */
function runGit(args: string[], env: Record<string, string>, signal?: AbortSignal): Promise<string> {
  return runGitCommand(args, { env, ...(signal ? { signal } : {}) }).catch((err: unknown) => {
    const e = toImpulseError(err);
    throw new ImpulseError(e.code, `source.git: ${e.message}`, { cause: e });
  });
}
