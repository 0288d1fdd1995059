import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A PEM key pair for the emulator's HTTPS server; the certificate is also the CA clients trust. */
export interface ServingCertificate {
  key: string;
  cert: string;
}

const run = promisify(execFile);
let cached: Promise<ServingCertificate> | undefined;

/**
 * A self-signed certificate for `127.0.0.1` and `localhost`, made with the `openssl` command
 * (Node's crypto can verify certificates but cannot issue them). One certificate serves every
 * emulator in the process.
 */
export function servingCertificate(): Promise<ServingCertificate> {
  cached ??= generate().catch((err: unknown) => {
    cached = undefined;
    throw new Error(
      `kube-emulator: could not generate a TLS certificate with openssl: ${(err as Error).message}`,
      { cause: err },
    );
  });
  return cached;
}

async function generate(): Promise<ServingCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-emulator-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '30',
      '-subj',
      '/CN=kube-emulator',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
