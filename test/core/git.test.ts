import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../../core/git.ts';

describe('core/git runGit', () => {
  let dir: string;
  let silent: Server;
  const sockets: Socket[] = [];
  let silentPort: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'impulse-git-'));
    await runGit(['init', '--quiet', dir]);
    // A server that accepts connections and never answers: git waits on it.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('resolves with standard output', async () => {
    const out = await runGit(['-C', dir, 'rev-parse', '--git-dir']);
    expect(out.trim()).toBe('.git');
  });

  it('calls a revision that does not exist permanent, with git own words and the subcommand', async () => {
    const err = await runGit(['-C', dir, 'rev-parse', '--verify', 'no-such-branch']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PERMANENT' });
    expect((err as Error).message).toMatch(/^git rev-parse: /);
  });

  it('calls an unreachable server transient and masks credentials in the URL', async () => {
    const err = await runGit(['ls-remote', 'http://user:s3cret@127.0.0.1:1/repo.git']).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'TRANSIENT' });
    expect((err as Error).message).toContain('git ls-remote: ');
    expect(JSON.stringify(err)).not.toContain('s3cret');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('stops a command that runs past its timeout', async () => {
    const err = await runGit(['ls-remote', `git://127.0.0.1:${silentPort}/repo.git`], {
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', message: 'git ls-remote took longer than 0.3 s' });
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const running = runGit(['ls-remote', `git://127.0.0.1:${silentPort}/repo.git`], {
      signal: controller.signal,
    });
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'CLOSED', message: 'git ls-remote was aborted' });
  });

  it('says that git is missing when it is not on PATH', async () => {
    await expect(runGit(['version'], { env: { PATH: join(dir, 'empty') } })).rejects.toMatchObject({
      code: 'PERMANENT',
      message: 'git is not installed: the `git` command must be on PATH',
    });
  });
});
