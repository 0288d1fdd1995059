import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver } from '../../../core/secrets.ts';
import type { ArtifactLocation } from '../../../crds/index.ts';
import { type ArtifactContext, loadArtifact, signV4 } from '../../../triggers/artifacts/index.ts';
import { isPermanent } from '../../../triggers/index.ts';
import { startHttpSink } from '../../support/http-sink.ts';
import { git, makeRepo, serveDumbHttp } from './git-server.ts';
import { startS3Server } from './s3-server.ts';

const manifest = (version: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-source\ndata:\n  version: ${version}\n`;

const secrets = createSecretResolver({
  env: {
    IMPULSE_SECRET_S3_ACCESS: 'AKIDEXAMPLE',
    IMPULSE_SECRET_S3_SECRET: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n',
    IMPULSE_SECRET_GIT_USER: 'robot',
    IMPULSE_SECRET_GIT_PASS: 'p4ss w0rd',
  },
});
const ctx: ArtifactContext = { secrets, readConfigMap: async () => undefined };
const load = (source: ArtifactLocation) => loadArtifact(source, ctx);
const versionOf = async (source: ArtifactLocation) => (await load(source)).data;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'impulse-artifacts-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('SigV4', () => {
  it("matches AWS's published example for GET Object (header-based, with a Range header)", () => {
    const headers = signV4({
      method: 'GET',
      host: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      headers: { range: 'bytes=0-9' },
      region: 'us-east-1',
      accessKey: 'AKIAIOSFODNN7EXAMPLE',
      secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      date: new Date('2013-05-24T00:00:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });
});

describe('artifact sources', () => {
  it('inline and resource', async () => {
    expect(await versionOf({ inline: manifest('inline') })).toEqual({ version: 'inline' });
    expect(
      await versionOf({
        resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { version: 'r' } },
      }),
    ).toEqual({ version: 'r' });
    await expect(load({ inline: 'a: 1\n---\nb: 2\n' })).rejects.toThrow(
      'source.inline: expected one Kubernetes object, found 2 YAML documents',
    );
    await expect(load({ inline: 'metadata: {}\n' })).rejects.toThrow(
      'source.inline: the object has no apiVersion',
    );
  });

  it('file', async () => {
    const file = join(dir, 'cm.yaml');
    await writeFile(file, manifest('file'));
    expect(await versionOf({ file: { path: file } })).toEqual({ version: 'file' });
    const err = await load({ file: { path: join(dir, 'missing.yaml') } }).catch((e: unknown) => e);
    expect(isPermanent(err)).toBe(true);
  });

  it('url from a local HTTP server: 200 is read, 404 is permanent, 503 is transient', async () => {
    await using sink = await startHttpSink();
    sink.respond = (req) => (req.path === '/gone' ? 404 : req.path === '/busy' ? 503 : 200);
    const server = (await import('node:http')).createServer((req, res) => {
      if (req.url === '/cm.yaml') res.writeHead(200).end(manifest('url'));
      else res.writeHead(req.url === '/busy' ? 503 : 404).end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect(await versionOf({ url: { path: `${base}/cm.yaml` } })).toEqual({ version: 'url' });
      const gone = await load({ url: { path: `${base}/gone` } }).catch((e: unknown) => e);
      expect(gone).toMatchObject({ code: 'PERMANENT' });
      const busy = await load({ url: { path: `${base}/busy` } }).catch((e: unknown) => e);
      expect(busy).toMatchObject({ code: 'TRANSIENT' });
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('s3: a SigV4-signed path-style GET that the endpoint verifies; a wrong key is refused', async () => {
    const s3 = await startS3Server({
      accessKey: 'AKIDEXAMPLE',
      secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      region: 'eu-west-1',
      objects: { '/manifests/team a/cm.yaml': manifest('s3') },
    });
    try {
      const source = (secretKey: string): ArtifactLocation => ({
        s3: {
          endpoint: s3.endpoint,
          insecure: true,
          region: 'eu-west-1',
          bucket: { name: 'manifests', key: 'team a/cm.yaml' },
          accessKey: { name: 's3', key: 'access' },
          secretKey: { name: 's3', key: secretKey },
        },
      });
      expect(await versionOf(source('secret'))).toEqual({ version: 's3' });
      expect(s3.checked.at(-1)).toEqual({ path: '/manifests/team%20a/cm.yaml', ok: true });
      const wrong = createSecretResolver({
        env: { IMPULSE_SECRET_S3_ACCESS: 'AKIDEXAMPLE', IMPULSE_SECRET_S3_OTHER: 'not-the-key' },
      });
      const err = await loadArtifact(
        { s3: { ...source('other').s3!, secretKey: { name: 's3', key: 'other' } } },
        { secrets: wrong, readConfigMap: async () => undefined },
      ).catch((e: unknown) => e as Error);
      expect(err).toMatchObject({ code: 'PERMANENT' });
      expect((err as Error).message).toContain('answered 403');
      expect(s3.checked.at(-1)).toMatchObject({ ok: false, reason: 'signature mismatch' });
    } finally {
      await s3.close();
    }
  });

  it('git: a real repository, by default branch, branch, tag and commit, fetched again on each read', async () => {
    const repo = makeRepo(manifest);
    try {
      const base = { url: `file://${repo.bare}`, filePath: 'wf.yaml' };
      const clone = (name: string) => join(dir, name);
      expect(await versionOf({ git: { ...base, cloneDirectory: clone('a') } })).toEqual({ version: 'two' });
      expect(await versionOf({ git: { ...base, cloneDirectory: clone('b'), branch: 'other' } })).toEqual({
        version: 'other',
      });
      expect(await versionOf({ git: { ...base, cloneDirectory: clone('c'), tag: 'v1' } })).toEqual({
        version: 'one',
      });
      expect(await versionOf({ git: { ...base, cloneDirectory: clone('d'), ref: repo.first } })).toEqual({
        version: 'one',
      });
      // A new commit on main is seen by the next read of the same clone directory.
      await writeFile(join(repo.work, 'wf.yaml'), manifest('three'));
      git(repo.work, 'commit', '--quiet', '-am', 'three');
      git(repo.work, 'push', '--quiet', repo.bare, 'main');
      expect(await versionOf({ git: { ...base, cloneDirectory: clone('a') } })).toEqual({ version: 'three' });
      const missing = await load({
        git: { ...base, cloneDirectory: clone('e'), filePath: 'nope.yaml' },
      }).catch((e: unknown) => e as Error);
      expect(missing).toMatchObject({ code: 'PERMANENT' });
      expect((missing as Error).message).toContain('nope.yaml does not exist');
    } finally {
      repo.cleanup();
    }
  });

  it('git: creds reach the server as HTTP basic auth, and never appear in the clone configuration', async () => {
    const repo = makeRepo(manifest);
    const server = await serveDumbHttp(repo.bare, 'robot', 'p4ss w0rd');
    try {
      const cloneDirectory = join(dir, 'creds');
      const source = (password: string): ArtifactLocation => ({
        git: {
          url: server.url,
          cloneDirectory,
          filePath: 'wf.yaml',
          branch: 'main',
          creds: { username: { name: 'git', key: 'user' }, password: { name: 'git', key: password } },
        },
      });
      expect(await versionOf(source('pass'))).toEqual({ version: 'two' });
      const config = git(cloneDirectory, 'config', '--list', '--local');
      expect(config).not.toContain('p4ss');
      expect(config).not.toContain(Buffer.from('robot:p4ss w0rd').toString('base64'));
      const refused = await loadArtifact(source('user'), ctx).catch((e: unknown) => e as Error);
      expect(refused).toMatchObject({ code: 'PERMANENT' });
      expect((refused as Error).message).not.toContain('p4ss');
    } finally {
      await server.close();
      repo.cleanup();
    }
  });
});
