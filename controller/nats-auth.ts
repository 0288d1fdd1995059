import { createHash } from 'node:crypto';
import { nkeys } from '@nats-io/nats-core';

type KeyPair = ReturnType<typeof nkeys.createUser>;

const b64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');
const UNLIMITED = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};

/** A NATS JWT (v2 claims, ed25519-nkey), signed by `issuer`. */
function signJwt(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }));
  const claims: Record<string, unknown> = {
    jti: '',
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { ...nats, version: 2 },
  };
  claims.jti = b64url(createHash('sha512-256').update(JSON.stringify(claims)).digest());
  const body = b64url(JSON.stringify(claims));
  const signature = b64url(issuer.sign(new TextEncoder().encode(`${header}.${body}`)));
  return `${header}.${body}.${signature}`;
}

/** What a managed EventBus's auth Secret holds. */
export interface NatsAuth {
  /** The server's authorization settings (operator, accounts), included by its configuration. */
  'auth.conf': string;
  /** A NATS `.creds` file for the one user every EventSource and Sensor connects as. */
  credentials: string;
}

/**
 * Fresh decentralized NATS authorization for one managed EventBus: an operator, a system account, an
 * account with JetStream, and one user of that account. The server trusts the operator and preloads
 * both accounts (memory resolver); processes connect with the user's `.creds` file, which is what
 * IMPULSE_BUS_CREDENTIALS_FILE reads. The operator and account seeds are dropped: nothing needs to
 * sign again, and a new user means a new Secret.
 */
export function generateNatsAuth(busName: string): NatsAuth {
  const operator = nkeys.createOperator();
  const system = nkeys.createAccount();
  const account = nkeys.createAccount();
  const user = nkeys.createUser();
  const accountClaims = (limits: Record<string, unknown>) => ({
    type: 'account',
    limits,
    default_permissions: { pub: {}, sub: {} },
  });
  const operatorJwt = signJwt(operator, operator.getPublicKey(), 'impulse', {
    type: 'operator',
    system_account: system.getPublicKey(),
  });
  const systemJwt = signJwt(operator, system.getPublicKey(), 'SYS', accountClaims(UNLIMITED));
  const accountJwt = signJwt(
    operator,
    account.getPublicKey(),
    busName,
    accountClaims({ ...UNLIMITED, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 }),
  );
  const userJwt = signJwt(account, user.getPublicKey(), busName, {
    type: 'user',
    pub: {},
    sub: {},
    subs: -1,
    data: -1,
    payload: -1,
  });
  const seed = new TextDecoder().decode(user.getSeed());
  return {
    'auth.conf': [
      `operator: ${operatorJwt}`,
      `system_account: ${system.getPublicKey()}`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  ${account.getPublicKey()}: ${accountJwt}`,
      `  ${system.getPublicKey()}: ${systemJwt}`,
      '}',
      '',
    ].join('\n'),
    credentials: [
      '-----BEGIN NATS USER JWT-----',
      userJwt,
      '------END NATS USER JWT------',
      '',
      '************************* IMPORTANT *************************',
      'NKEY Seed printed below can be used to sign and prove identity.',
      'NKEYs are sensitive and should be treated as secrets.',
      '',
      '-----BEGIN USER NKEY SEED-----',
      seed,
      '------END USER NKEY SEED------',
      '',
    ].join('\n'),
  };
}
