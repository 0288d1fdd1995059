import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImpulseError } from './errors.ts';

/** A reference to one key of a Kubernetes Secret, in Argo Events' `secretKeyRef` shape. */
export interface SecretRef {
  name: string;
  key: string;
  optional?: boolean;
}

/** Resolves secret references; values never appear in errors or logs. */
export interface SecretResolver {
  /** The secret's value; throws `SECRET_MISSING` naming the reference when it does not exist. */
  get(ref: SecretRef): string;
  /** The value, or undefined when the reference is optional and missing. */
  find(ref: SecretRef): string | undefined;
  /** Every value resolved so far, for masking. */
  readonly known: ReadonlySet<string>;
}

export interface SecretResolverOptions {
  /** Folder holding `<name>/<key>` files; default `IMPULSE_SECRETS_DIR`. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

/** `IMPULSE_SECRET_<NAME>_<KEY>`, upper-cased, every character other than A-Z and 0-9 turned into `_`. */
export function secretEnvName(ref: Pick<SecretRef, 'name' | 'key'>): string {
  const clean = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return `IMPULSE_SECRET_${clean(ref.name)}_${clean(ref.key)}`;
}

/**
 * Reads `<secrets dir>/<name>/<key>` first (how the controller mounts Secrets), then the environment
 * variable `IMPULSE_SECRET_<NAME>_<KEY>`. A trailing newline in a file is kept, as Kubernetes keeps it.
 */
export function createSecretResolver(options: SecretResolverOptions = {}): SecretResolver {
  const env = options.env ?? process.env;
  const dir = options.dir ?? env.IMPULSE_SECRETS_DIR;
  const known = new Set<string>();

  const find = (ref: SecretRef): string | undefined => {
    if (dir && !ref.name.includes('/') && !ref.key.includes('/') && ref.name !== '..' && ref.key !== '..') {
      try {
        const value = readFileSync(join(dir, ref.name, ref.key), 'utf8');
        known.add(value);
        return value;
      } catch {
        // fall through to the environment
      }
    }
    const value = env[secretEnvName(ref)];
    if (value !== undefined) known.add(value);
    return value;
  };

  return {
    known,
    find,
    get(ref) {
      const value = find(ref);
      if (value === undefined) {
        const where = dir ? `${join(dir, ref.name, ref.key)} or ` : '';
        throw new ImpulseError(
          'SECRET_MISSING',
          `secret ${ref.name}/${ref.key} not found: looked for ${where}the environment variable ${secretEnvName(ref)}`,
          { details: { name: ref.name, key: ref.key } },
        );
      }
      return value;
    },
  };
}

/**
 * Checks that no two references map to the same environment variable (`a-b/c` and `a_b/c` do), which
 * would make one silently read the other's value.
 */
export function findEnvCollisions(refs: readonly SecretRef[]): string[] {
  const byVariable = new Map<string, string>();
  const problems: string[] = [];
  for (const ref of refs) {
    const variable = secretEnvName(ref);
    const id = `${ref.name}/${ref.key}`;
    const other = byVariable.get(variable);
    if (other && other !== id)
      problems.push(`secrets ${other} and ${id} both map to ${variable}; rename one`);
    else byVariable.set(variable, id);
  }
  return problems;
}
