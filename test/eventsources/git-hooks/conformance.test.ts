import type { SourceType } from '../../../crds/index.ts';
import { sources } from '../../../eventsources/all-sources.ts';
import type { SourceFactory } from '../../../eventsources/index.ts';
import { runSourceConformance } from '../conformance.ts';
import { routeHarness } from '../route-harness.ts';

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
  runSourceConformance(
    type,
    routeHarness({
      type,
      factory: sources[type] as SourceFactory<unknown>,
      config: (port) => ({ ...config, webhook: { port: String(port), endpoint: '/ev', method: 'POST' } }),
      headers,
    }),
  );
}
