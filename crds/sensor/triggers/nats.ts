import { type Static, Type } from '@sinclair/typebox';
import { BasicAuth, SecretKeySelector, TLSConfig } from '../../common.ts';
import { Obj, Opt } from '../../schema-kit.ts';
import { TriggerParameter } from '../parameters.ts';

/** Credentials for a NATS server; set one kind. */
export const NATSAuth = Obj(
  {
    basic: Opt(BasicAuth),
    token: Opt(SecretKeySelector),
    nkey: Opt(SecretKeySelector),
    credential: Opt(SecretKeySelector),
  },
  'How to authenticate to NATS: basic, token, nkey or a credentials file.',
);
export type NATSAuth = Static<typeof NATSAuth>;

/** Publishes a message built from the triggering events on a NATS subject. */
export const NATSTrigger = Obj(
  {
    url: Type.String({ minLength: 1, description: 'NATS server URL, e.g. nats://nats:4222.' }),
    subject: Type.String({ minLength: 1, description: 'Subject the message is published on.' }),
    payload: Type.Array(TriggerParameter, { description: 'Builds the JSON message body from the events.' }),
    parameters: Opt(Type.Array(TriggerParameter, { description: 'Patch this nats block from the events.' })),
    tls: Opt(TLSConfig),
    auth: Opt(NATSAuth),
  },
  'Publishes a message to NATS.',
);
export type NATSTrigger = Static<typeof NATSTrigger>;
