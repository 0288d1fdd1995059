import type { IncomingMessage } from 'node:http';
import type { FieldValidation, WriteOptions } from './commit.ts';
import type { DeleteOptions } from './deletion.ts';
import { isObject, type Json } from './json.ts';
import { managerFromUserAgent } from './managed-fields.ts';
import { errors } from './status.ts';

/** The query parameters (and DeleteOptions body) of writes, checked as the API server checks them. */

export function writeOptions(
  params: URLSearchParams,
  req: IncomingMessage,
): WriteOptions & { force: boolean } {
  const dryRun = params.getAll('dryRun');
  for (const value of dryRun)
    if (value !== 'All')
      throw errors.badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
  const validation = params.get('fieldValidation') ?? 'Warn';
  if (validation !== 'Strict' && validation !== 'Warn' && validation !== 'Ignore') {
    throw errors.badRequest(
      `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  const manager = params.get('fieldManager');
  if (manager !== null && manager.length > 128) {
    throw errors.invalid('meta.k8s.io', 'PatchOptions', '', [
      {
        reason: 'FieldValueTooLong',
        message: 'Too long: may not be more than 128 bytes',
        field: 'fieldManager',
      },
    ]);
  }
  return {
    dryRun: dryRun.length > 0,
    fieldValidation: validation as FieldValidation,
    manager: manager ?? managerFromUserAgent(req.headers['user-agent']),
    warnings: [],
    force: params.get('force') === 'true',
  };
}

export function deleteOptions(params: URLSearchParams, body: Json | undefined): DeleteOptions {
  const opts = isObject(body) ? body : {};
  const dryRun = [...params.getAll('dryRun'), ...(Array.isArray(opts.dryRun) ? opts.dryRun.map(String) : [])];
  for (const value of dryRun)
    if (value !== 'All')
      throw errors.badRequest(`dryRun: Unsupported value: "${value}": supported values: "All"`);
  let policy =
    params.get('propagationPolicy') ??
    (typeof opts.propagationPolicy === 'string' ? opts.propagationPolicy : undefined);
  const orphan =
    params.get('orphanDependents') ??
    (typeof opts.orphanDependents === 'boolean' ? String(opts.orphanDependents) : undefined);
  if (orphan !== undefined && policy !== undefined) {
    throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', [
      {
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: "orphanDependents": orphanDependents and propagationPolicy cannot both be set',
        field: 'propagationPolicy',
      },
    ]);
  }
  if (orphan !== undefined) policy = orphan === 'true' ? 'Orphan' : 'Background';
  if (policy !== undefined && policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
    throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', [
      {
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
        field: 'propagationPolicy',
      },
    ]);
  }
  const pre = isObject(opts.preconditions) ? opts.preconditions : undefined;
  const preconditions: DeleteOptions['preconditions'] = {};
  if (typeof pre?.uid === 'string') preconditions.uid = pre.uid;
  if (typeof pre?.resourceVersion === 'string') preconditions.resourceVersion = pre.resourceVersion;
  return {
    dryRun: dryRun.length > 0,
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    preconditions,
  };
}

/** The format of a create or update body from its Content-Type. */
export function requestFormat(req: IncomingMessage): 'json' | 'yaml' {
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type === '') return 'json';
  if (type === 'application/yaml') return 'yaml';
  throw errors.unsupportedMediaType(type);
}
