import { describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import type { KubeRest } from '../../../core/kube/rest.ts';
import type { ResourceInfo, WatchEvent, WatchOptions } from '../../../core/kube/types.ts';
import { silentLogger } from '../../../core/logger.ts';
import { type ResourceChange, runWatcher } from '../../../eventsources/resource/watcher.ts';
import { waitFor, within } from '../../support/wait.ts';

const obj = (name: string, rv: string) => ({ metadata: { name, uid: `uid-${name}`, resourceVersion: rv } });

/**
 * An API server script: the listing, then one batch of events per watch request (a batch that is
 * an ImpulseError is the watch's failure). Records the resourceVersion each watch asked for.
 */
function scripted(
  list: ReturnType<typeof obj>[],
  listVersion: string,
  watches: Array<WatchEvent[] | ImpulseError>,
) {
  const asked: string[] = [];
  let lists = 0;
  const kube = {
    async list() {
      lists++;
      return { resourceVersion: listVersion, items: list };
    },
    async *watch(_resource: ResourceInfo, _namespace: string | undefined, options: WatchOptions) {
      const signal = options.signal!;
      asked.push(options.resourceVersion ?? '');
      const batch = watches.shift();
      if (batch instanceof ImpulseError) throw batch;
      if (!batch) {
        // Nothing more scripted: stay open until the watcher stops.
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        return;
      }
      for (const event of batch) yield event;
    },
  };
  return { kube: kube as unknown as KubeRest, asked, lists: () => lists };
}

async function run(script: ReturnType<typeof scripted>, until: (changes: ResourceChange[]) => boolean) {
  const abort = new AbortController();
  const changes: ResourceChange[] = [];
  const done = runWatcher({
    kube: script.kube,
    resource: {
      apiVersion: 'v1',
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
    },
    namespace: undefined,
    labelSelector: '',
    describe: 'configmaps',
    signal: abort.signal,
    logger: silentLogger(),
    onChange: async (c) => {
      changes.push(c);
    },
    onReady: () => undefined,
    retryDelaysMs: [1],
  });
  await waitFor(() => until(changes));
  abort.abort();
  await within(done, 2000);
  return changes;
}

describe('resource watcher', () => {
  it('resumes from the newest bookmark after the server ends a watch', async () => {
    const script = scripted([obj('a', '5')], '10', [
      [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '40' } } }],
      [{ type: 'MODIFIED', object: obj('a', '41') }],
    ]);
    const changes = await run(script, (c) => c.length === 2);
    expect(script.asked.slice(0, 3)).toEqual(['10', '40', '41']);
    expect(changes.map((c) => `${c.type}:${c.id}:${c.live}`)).toEqual([
      'ADD:uid-a:5:ADD:false',
      'UPDATE:uid-a:41:UPDATE:true',
    ]);
  });

  it('relists on a 410 refusal of the watch request and on an ERROR event', async () => {
    const gone = new ImpulseError('PERMANENT', 'watch: 410 Gone', { details: { status: 410 } });
    const script = scripted([obj('a', '5')], '10', [
      gone,
      [{ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }],
    ]);
    await run(script, () => script.lists() >= 3);
    expect(script.asked.slice(0, 2)).toEqual(['10', '10']);
  });

  it('does not hand on an event it already knows (same uid and version) again', async () => {
    const script = scripted([obj('a', '5')], '10', [
      [
        { type: 'MODIFIED', object: obj('a', '5') },
        { type: 'ADDED', object: obj('b', '11') },
      ],
    ]);
    const changes = await run(script, (c) => c.length === 2);
    expect(changes.map((c) => `${c.type} ${c.object.metadata.name}`)).toEqual(['ADD a', 'ADD b']);
  });
});
