import { parse as parseYaml } from 'yaml';
import { type ClientTls, resolveClientTls } from '../../core/client-tls.ts';
import { ImpulseError } from '../../core/errors.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import { type ResolvedBackoff, resolveBackoff } from '../queue/backoff.ts';
import { redactUrl } from '../queue/redact.ts';
import type { SourceConfig } from '../types.ts';

export type AmqpConfig = SourceConfig<'amqp'>;

/** An `amqp` event's configuration with Argo Events' defaults applied and secrets read. */
export interface ResolvedAmqp {
  url: string;
  /** The URL as messages show it. */
  target: string;
  credentials?: { username: string; password: string };
  tls?: ClientTls;
  backoff: ResolvedBackoff;
  exchange: { name: string; type: string; durable: boolean; autoDelete: boolean; internal: boolean };
  queue: {
    name: string;
    durable: boolean;
    autoDelete: boolean;
    exclusive: boolean;
    arguments?: Record<string, unknown>;
  };
  routingKey: string;
  consume: { consumerTag?: string; autoAck: boolean; exclusive: boolean; noLocal: boolean };
  jsonBody: boolean;
  metadata?: Record<string, string>;
  /** Values no log line or error may show. */
  secrets: string[];
}

/**
 * Reads `spec.amqp.<event>`. Where a block is left out, Argo Events' defaults apply (a durable
 * exchange; an exclusive, server-named queue); inside a block, a field left out is false, as in Argo
 * Events. One difference: `consume.autoAck` is false unless the manifest says true, so a message is
 * acknowledged only once the bus has stored it (Argo Events acknowledges on delivery by default).
 */
export function resolveAmqp(config: AmqpConfig, path: string, secrets: SecretResolver): ResolvedAmqp {
  const url = config.urlSecret ? secrets.get(config.urlSecret).trim() : config.url;
  if (!url) throw new ImpulseError('INVALID_MANIFEST', `${path}: set url or urlSecret`);
  const hidden: string[] = [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.url: "${redactUrl(url)}" is not a URL like amqp://host:5672`,
    );
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.url: expected an amqp:// or amqps:// URL, found "${redactUrl(url)}"`,
    );
  }
  if (parsed.password) hidden.push(decodeURIComponent(parsed.password));

  const resolved: ResolvedAmqp = {
    url,
    target: redactUrl(url),
    backoff: resolveBackoff(config.connectionBackoff, path),
    exchange: config.exchangeDeclare
      ? {
          name: config.exchangeName,
          type: config.exchangeType,
          durable: config.exchangeDeclare.durable ?? false,
          autoDelete: config.exchangeDeclare.autoDelete ?? false,
          internal: config.exchangeDeclare.internal ?? false,
        }
      : {
          name: config.exchangeName,
          type: config.exchangeType,
          durable: true,
          autoDelete: false,
          internal: false,
        },
    queue: config.queueDeclare
      ? {
          name: config.queueDeclare.name ?? '',
          durable: config.queueDeclare.durable ?? false,
          autoDelete: config.queueDeclare.autoDelete ?? false,
          exclusive: config.queueDeclare.exclusive ?? false,
        }
      : { name: '', durable: false, autoDelete: false, exclusive: true },
    routingKey: config.routingKey,
    consume: {
      autoAck: config.consume?.autoAck ?? false,
      exclusive: config.consume?.exclusive ?? false,
      noLocal: config.consume?.noLocal ?? false,
    },
    jsonBody: config.jsonBody ?? false,
    secrets: hidden,
  };
  if (config.consume?.consumerTag) resolved.consume.consumerTag = config.consume.consumerTag;
  const args = config.queueDeclare?.arguments;
  if (args) resolved.queue.arguments = queueArguments(args, `${path}.queueDeclare.arguments`);
  if (config.auth) {
    const { username, password } = config.auth;
    if (!username || !password) {
      throw new ImpulseError('INVALID_MANIFEST', `${path}.auth: set both username and password`);
    }
    resolved.credentials = { username: secrets.get(username), password: secrets.get(password) };
    hidden.push(resolved.credentials.password);
  }
  const tls = resolveClientTls(config.tls, path, secrets);
  if (tls) resolved.tls = tls;
  if (config.metadata && Object.keys(config.metadata).length > 0) resolved.metadata = config.metadata;
  return resolved;
}

/** `queueDeclare.arguments`: a YAML map written as a string, e.g. `x-queue-type: quorum`. */
function queueArguments(text: string, path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new ImpulseError('INVALID_MANIFEST', `${path}: not YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ImpulseError('INVALID_MANIFEST', `${path}: expected a YAML map such as "x-queue-type: quorum"`);
  }
  return value as Record<string, unknown>;
}
