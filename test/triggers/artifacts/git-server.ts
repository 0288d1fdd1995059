import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';

/** Runs git in `cwd` with a fixed identity, for building test repositories. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
}

/** A repository with `main` (two commits), a tag `v1` on the first, and a branch `other`. */
export function makeRepo(manifest: (version: string) => string) {
  const root = mkdtempSync(join(tmpdir(), 'impulse-git-'));
  const work = join(root, 'work');
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  writeFileSync(join(work, 'wf.yaml'), manifest('one'));
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'one');
  git(work, 'tag', 'v1');
  const first = git(work, 'rev-parse', 'HEAD').trim();
  writeFileSync(join(work, 'wf.yaml'), manifest('two'));
  git(work, 'commit', '--quiet', '-am', 'two');
  git(work, 'checkout', '--quiet', '-b', 'other');
  writeFileSync(join(work, 'wf.yaml'), manifest('other'));
  git(work, 'commit', '--quiet', '-am', 'other');
  git(work, 'checkout', '--quiet', 'main');
  const bare = join(root, 'repo.git');
  git(root, 'clone', '--quiet', '--bare', work, bare);
  git(bare, 'update-server-info');
  return { root, work, bare, first, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/**
 * Serves a bare repository over git's "dumb" HTTP protocol (static files), requiring HTTP basic
 * credentials, so that a test can check that `creds` reach git.
 */
export async function serveDumbHttp(bare: string, user: string, password: string) {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(String(req.headers.authorization ?? ''));
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^\/repo\.git/,
      '',
    );
    if (path.includes('..')) return void res.writeHead(400).end();
    try {
      res.writeHead(200).end(readFileSync(join(bare, path)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.git`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
