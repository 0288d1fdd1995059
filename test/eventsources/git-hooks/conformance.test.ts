import { silentLogger } from '../../../core/logger.ts';
import { createSecretResolver } from '../../../core/secrets.ts';
import type { SourceType } from '../../../crds/index.ts';
import { sources } from '../../../eventsources/all-sources.ts';
import { createWebhookServerPool, type SourceFactory } from '../../../eventsources/index.ts';
import { freePort, occupyPort } from '../../support/ports.ts';
import { runSourceConformance } from '../conformance.ts';
import { send } from '../http-client.ts';

/** Each Git provider, configured as simply as it can be, with the delivery headers it reads. */
const providers: Array<[SourceType, Record<string, unknown>, Record<string, string>]> = [
  ['github', { events: ['push'] }, { 'x-github-event': 'push' }],
  [
    'gitlab',
    { events: ['PushEvents'], accessToken: { name: 'a', key: 'b' }, gitlabBaseURL: 'http://127.0.0.1:1' },
    { 'x-gitlab-event': 'Push Hook' },
  ],
  ['bitbucket', { events: ['repo:push'], auth: {} }, { 'x-event-key': 'repo:push' }],
  [
    'bitbucketserver',
    { events: ['repo:refs_changed'], bitbucketserverBaseURL: 'http://127.0.0.1:1/rest' },
    { 'x-event-key': 'repo:refs_changed' },
  ],
  ['gitea', { events: ['push'] }, { 'x-gitea-event': 'push' }],
];

for (const [type, config, headers] of providers) {
  runSourceConformance(type, async (kind) => {
    const occupied = kind === 'broken' ? await occupyPort() : undefined;
    const port = occupied?.port ?? (await freePort());
    const pool = createWebhookServerPool({ host: '127.0.0.1' });
    const factory = sources[type] as SourceFactory<unknown>;
    const driver = factory({
      eventSourceName: 'conformance',
      namespace: 'default',
      eventName: 'ev',
      path: `spec.${type}.ev`,
      config: { ...config, webhook: { port: String(port), endpoint: '/ev', method: 'POST' } },
      secrets: createSecretResolver({ env: {} }),
      logger: silentLogger(),
      services: { webhooks: pool },
    });
    return {
      start(ctx) {
        const running = driver.start(ctx);
        pool.start().catch(() => undefined);
        return running;
      },
      async produce() {
        await send(`http://127.0.0.1:${port}/ev`, {
          headers: { 'content-type': 'application/json', ...headers },
          body: '{"hello":"conformance"}',
        });
      },
      expectedStartupError: new RegExp(`port ${port} for spec\\.${type}\\.ev: the port is already in use`),
      async cleanup() {
        await pool.close();
        await occupied?.close();
      },
    };
  });
}
