import { type ClientTls, resolveClientTls } from '../../core/client-tls.ts';
import { ImpulseError } from '../../core/errors.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import { type ResolvedBackoff, resolveBackoff } from '../queue/backoff.ts';
import { redactUrl } from '../queue/redact.ts';
import type { SourceConfig } from '../types.ts';

export type MqttConfig = SourceConfig<'mqtt'>;

/** An `mqtt` event's configuration, read once. */
export interface ResolvedMqtt {
  url: string;
  target: string;
  topic: string;
  clientId: string;
  qos: 0 | 1;
  username?: string;
  password?: string;
  tls?: ClientTls;
  backoff: ResolvedBackoff;
  jsonBody: boolean;
  metadata?: Record<string, string>;
  secrets: string[];
}

/** Paho's schemes (Argo Events) and mqtt.js's. */
const SCHEMES = new Set(['tcp:', 'mqtt:', 'ssl:', 'tls:', 'mqtts:', 'ws:', 'wss:']);

export function resolveMqtt(config: MqttConfig, path: string, secrets: SecretResolver): ResolvedMqtt {
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.url: "${redactUrl(config.url)}" is not a URL like tcp://host:1883`,
    );
  }
  if (!SCHEMES.has(parsed.protocol)) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.url: expected a tcp://, ssl://, mqtt://, mqtts://, ws:// or wss:// URL, found "${redactUrl(config.url)}"`,
    );
  }
  const hidden: string[] = [];
  if (parsed.password) hidden.push(decodeURIComponent(parsed.password));
  const resolved: ResolvedMqtt = {
    // mqtt.js knows ssl:// and tls:// as mqtts://.
    url:
      parsed.protocol === 'ssl:' || parsed.protocol === 'tls:'
        ? `mqtts:${config.url.slice(parsed.protocol.length)}`
        : config.url,
    target: redactUrl(config.url),
    topic: config.topic,
    clientId: config.clientId,
    qos: config.qos === 1 ? 1 : 0,
    backoff: resolveBackoff(config.connectionBackoff, path),
    jsonBody: config.jsonBody ?? false,
    secrets: hidden,
  };
  if (config.auth) {
    const { username, password } = config.auth;
    if (username) resolved.username = secrets.get(username);
    if (password) {
      resolved.password = secrets.get(password);
      hidden.push(resolved.password);
    }
  }
  const tls = resolveClientTls(config.tls, path, secrets);
  if (tls) resolved.tls = tls;
  if (config.metadata && Object.keys(config.metadata).length > 0) resolved.metadata = config.metadata;
  return resolved;
}
