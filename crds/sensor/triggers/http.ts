import { type Static, Type } from '@sinclair/typebox';
import { BasicAuth, ConfigMapKeySelector, SecretKeySelector, TLSConfig } from '../../common.ts';
import { Enum, Obj, Opt, StringMap } from '../../schema-kit.ts';
import { HTTPPayloadParameter, TriggerParameter } from '../parameters.ts';

export const HTTP_METHODS = ['GET', 'DELETE', 'PATCH', 'POST', 'PUT'] as const;
export const HTTPMethod = Enum(HTTP_METHODS, 'Request method: GET, DELETE, PATCH, POST (default) or PUT.');
export type HTTPMethod = Static<typeof HTTPMethod>;

/** Where the value of a secure header is read from; set one of the two. */
export const ValueFromSource = Obj(
  {
    secretKeyRef: Opt(SecretKeySelector),
    configMapKeyRef: Opt(ConfigMapKeySelector),
  },
  'A Secret or ConfigMap key holding the value.',
);
export type ValueFromSource = Static<typeof ValueFromSource>;

/** A request header whose value is kept in a Secret or ConfigMap (for example a token). */
export const SecureHeader = Obj(
  {
    name: Type.String({ minLength: 1, description: 'Header name.' }),
    valueFrom: ValueFromSource,
  },
  'A request header whose value comes from a Secret or ConfigMap.',
);
export type SecureHeader = Static<typeof SecureHeader>;

/** Sends an HTTP request built from the triggering events. */
export const HTTPTrigger = Obj(
  {
    url: Type.String({ minLength: 1, description: 'URL the request is sent to.' }),
    payload: Opt(
      Type.Array(HTTPPayloadParameter, { description: 'Builds the JSON request body from the events.' }),
    ),
    tls: Opt(TLSConfig),
    method: Opt(HTTPMethod),
    parameters: Opt(
      Type.Array(TriggerParameter, {
        description: 'Patch this http block (url, headers, ...) from the events.',
      }),
    ),
    timeout: Opt(Type.Integer({ minimum: 1, default: 60, description: 'Request timeout in seconds.' })),
    basicAuth: Opt(BasicAuth),
    headers: Opt(StringMap(Type.String(), 'Fixed request headers.')),
    secureHeaders: Opt(
      Type.Array(SecureHeader, { description: 'Request headers read from Secrets or ConfigMaps.' }),
    ),
    dynamicHeaders: Opt(
      Type.Array(TriggerParameter, {
        description: 'Request headers taken from the events; dest is the header name.',
      }),
    ),
    host: Opt(
      Type.String({ description: 'Host header to send instead of the host of url (virtual hosting).' }),
    ),
  },
  'Sends an HTTP request.',
);
export type HTTPTrigger = Static<typeof HTTPTrigger>;
