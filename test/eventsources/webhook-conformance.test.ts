import { createWebhookSource, type SourceFactory } from '../../eventsources/index.ts';
import { runSourceConformance } from './conformance.ts';
import { routeHarness } from './route-harness.ts';

runSourceConformance(
  'webhook',
  routeHarness({
    type: 'webhook',
    factory: createWebhookSource as SourceFactory<unknown>,
    config: (port) => ({ port: String(port), endpoint: '/ev', method: 'POST' }),
  }),
);
