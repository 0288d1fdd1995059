import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImpulseError } from '../../../core/errors.ts';
import { runGit } from '../../../core/git.ts';
import type { Application } from './types.ts';

/** A revision checked out on disk: `dir` holds the whole tree of commit `sha`. */
export interface Checkout {
  sha: string;
  dir: string;
}

/** Trees kept per repository; older ones are removed after a checkout. */
const KEEP_TREES = 5;
/** The longest one git command may run. */

/**
 * Git through the system `git`: one bare cache per repository under `cacheDir`, a shallow fetch of
 * just the revision asked for, and one read-only tree per commit. Spawned with an argument array (no
 * shell), never prompting; credentials travel in the environment, never on the command line.
 */
export class GitCache {
  readonly #root: string;
  /** One fetch at a time per repository in this process (git locks the shallow file). */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(root: string) {
    this.#root = root;
  }

  checkout(
    app: Pick<Application, 'repoURL' | 'revision' | 'credentials'>,
    signal?: AbortSignal,
  ): Promise<Checkout> {
    const repoDir = join(this.#root, createHash('sha256').update(app.repoURL).digest('hex').slice(0, 16));
    const previous = this.#queues.get(repoDir) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.#checkout(repoDir, app, signal));
    this.#queues.set(repoDir, next);
    return next;
  }

  async #checkout(
    repoDir: string,
    app: Pick<Application, 'repoURL' | 'revision' | 'credentials'>,
    signal: AbortSignal | undefined,
  ): Promise<Checkout> {
    const bare = join(repoDir, 'cache.git');
    if (!existsSync(join(bare, 'HEAD'))) {
      await mkdir(repoDir, { recursive: true });
      await git(['init', '--bare', '--quiet', bare], {}, signal);
    }
    const revision = app.revision || 'HEAD';
    const auth = await credentialsEnv(repoDir, app.credentials);
    try {
      const fetch = (rev: string, depth: boolean) =>
        git(
          [
            '--git-dir',
            bare,
            'fetch',
            '--quiet',
            '--no-tags',
            ...(depth ? ['--depth', '1'] : []),
            '--',
            app.repoURL,
            rev,
          ],
          auth.env,
          signal,
        );
      const isSha = /^[0-9a-f]{7,40}$/i.test(revision);
      let ref = 'FETCH_HEAD';
      try {
        await fetch(revision, true);
      } catch (err) {
        // Servers that refuse to hand out a commit by its sha still serve it through a branch.
        if (!isSha || (err as ImpulseError).transient) throw revisionError(err, app.repoURL, revision);
        await fetch('+refs/heads/*:refs/remotes/origin/*', false).catch((e: unknown) => {
          throw revisionError(e, app.repoURL, revision);
        });
        ref = revision;
      }
      // The fetched commit is usually one already checked out: then FETCH_HEAD names it, no spawn needed.
      const fetched = ref === 'FETCH_HEAD' ? await fetchHead(bare) : undefined;
      if (fetched && existsSync(join(repoDir, 'trees', fetched)))
        return { sha: fetched, dir: join(repoDir, 'trees', fetched) };
      const sha = (
        await git(
          ['--git-dir', bare, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`],
          {},
          signal,
        ).catch((err: unknown) => {
          throw new ImpulseError('PERMANENT', `revision ${revision} of ${app.repoURL} is not a commit`, {
            cause: err,
          });
        })
      ).trim();
      return { sha, dir: await this.#tree(repoDir, bare, sha, signal) };
    } finally {
      await auth.cleanup();
    }
  }

  async #tree(repoDir: string, bare: string, sha: string, signal: AbortSignal | undefined): Promise<string> {
    const trees = join(repoDir, 'trees');
    const dir = join(trees, sha);
    if (existsSync(dir)) return dir;
    const tmp = join(trees, `.tmp-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp, { recursive: true });
    try {
      // A private index file, so that checkouts of one repository never share state.
      await git(
        ['--git-dir', bare, '--work-tree', tmp, 'checkout', '--quiet', sha, '--', '.'],
        { GIT_INDEX_FILE: join(tmp, '.git-index') },
        signal,
      );
      await rm(join(tmp, '.git-index'), { force: true });
      await rename(tmp, dir).catch(async (err: unknown) => {
        if (!existsSync(dir)) throw err;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    await removeOldTrees(trees, sha);
    return dir;
  }
}

/** The object FETCH_HEAD names (a commit, or an annotated tag), read from the file. */
async function fetchHead(bare: string): Promise<string | undefined> {
  const text = await readFile(join(bare, 'FETCH_HEAD'), 'utf8').catch(() => '');
  const sha = text.split('\t', 1)[0]?.trim();
  return sha && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha) ? sha : undefined;
}

function revisionError(err: unknown, repoURL: string, revision: string): ImpulseError {
  const e = err as ImpulseError;
  if (e.transient) return new ImpulseError(e.code, `cannot fetch ${repoURL}: ${e.message}`, { cause: err });
  return new ImpulseError('PERMANENT', `cannot fetch revision ${revision} of ${repoURL}: ${e.message}`, {
    cause: err,
  });
}

async function removeOldTrees(trees: string, keep: string): Promise<void> {
  const names = (await readdir(trees)).filter((n) => !n.startsWith('.') && n !== keep);
  if (names.length < KEEP_TREES) return;
  const aged = await Promise.all(names.map(async (n) => ({ n, at: (await stat(join(trees, n))).mtimeMs })));
  aged.sort((a, b) => b.at - a.at);
  for (const { n } of aged.slice(KEEP_TREES - 1)) await rm(join(trees, n), { recursive: true, force: true });
}

/**
 * Environment for an authenticated fetch: a Basic authorization header through GIT_CONFIG_* (so the
 * password is in no argument list), or an SSH key in a private file.
 */
async function credentialsEnv(
  repoDir: string,
  credentials: Application['credentials'],
): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  const env: Record<string, string> = {};
  let keyFile: string | undefined;
  if (credentials?.password !== undefined) {
    const basic = Buffer.from(`${credentials.username ?? 'git'}:${credentials.password}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  if (credentials?.sshPrivateKey) {
    keyFile = join(repoDir, `.key-${randomBytes(6).toString('hex')}`);
    const key = credentials.sshPrivateKey.endsWith('\n')
      ? credentials.sshPrivateKey
      : `${credentials.sshPrivateKey}\n`;
    await writeFile(keyFile, key, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    env.GIT_SSH_COMMAND = `ssh -i ${keyFile} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new`;
  }
  return { env, cleanup: async () => void (keyFile && (await rm(keyFile, { force: true }))) };
}

/** Runs git for the engine (see core/git.ts for the environment and how failures are classified). */
export function git(args: string[], env: Record<string, string>, signal?: AbortSignal): Promise<string> {
  return runGit(args, { env, ...(signal ? { signal } : {}) });
}
