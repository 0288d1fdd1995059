import type { Static } from '@sinclair/typebox';
import { WebhookContext } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** One `spec.webhook.<event>` entry: an HTTP endpoint whose requests become events. */
export const WebhookEventSource = Obj(
  {
    ...WebhookContext.properties,
    filter: Opt(EventSourceFilter),
  },
  'An HTTP endpoint; each accepted request becomes an event.',
);
export type WebhookEventSource = Static<typeof WebhookEventSource>;
