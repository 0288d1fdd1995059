import { describe, expect, it } from 'vitest';
import { resolveStreamConfig } from '../../controller/stream-settings.ts';

const PATH = 'spec.jetstreamExotic.streamConfig';
const resolve = (raw: unknown, replicas = 1) => resolveStreamConfig(raw, replicas, PATH, 'main');

describe('resolveStreamConfig: streamConfig over the EventBus defaults', () => {
  it('no streamConfig: the defaults, with the bus default replicas', () => {
    expect(resolve(undefined, 3)).toEqual({
      stream: {
        settings: {
          storage: 'file',
          maxAgeMs: 72 * 3_600_000,
          maxBytes: 1024 ** 3,
          duplicateWindowMs: 300_000,
          replicas: 3,
          retention: 'limits',
          discard: 'new',
          maxMsgs: -1,
          maxMsgSize: -1,
        },
        config: {
          retention: 'limits',
          discard: 'new',
          maxAge: '72h',
          maxBytes: 1024 ** 3,
          duplicates: '5m',
          replicas: 3,
          maxMsgs: -1,
          maxMsgSize: -1,
        },
      },
    });
  });

  it("Argo Events' default YAML: enum numbers, 1GB, 1e6, 300s", () => {
    const text =
      'maxMsgs: 1e6\nmaxAge: 72h\nmaxBytes: 1GB\nreplicas: 3\nduplicates: 300s\nretention: 0\ndiscard: 0\n';
    expect(resolve(text)).toMatchObject({
      stream: {
        settings: {
          maxMsgs: 1_000_000,
          maxBytes: 1024 ** 3,
          replicas: 3,
          retention: 'limits',
          discard: 'old',
        },
        config: { duplicates: '5m', discard: 'old' },
      },
    });
  });

  it('policy names in any case, sizes with binary units, numbers as strings', () => {
    expect(
      resolve({ retention: 'WorkQueuePolicy', discard: 'DiscardNew', maxBytes: '256Mi', maxMsgSize: 1024 }),
    ).toMatchObject({
      stream: {
        settings: { retention: 'workqueue', discard: 'new', maxBytes: 256 * 1024 ** 2, maxMsgSize: 1024 },
      },
    });
    expect(resolve('maxBytes: "1048576"\nretention: interest')).toMatchObject({
      stream: { settings: { maxBytes: 1_048_576, retention: 'interest' } },
    });
  });

  it('values it cannot read are named with the field, what was expected and what was found', () => {
    expect(resolve({ retention: 'forever', maxBytes: 'lots', replicas: 0 })).toEqual({
      problem: [
        `${PATH}.maxBytes: expected a size such as 1073741824, "512MB" or "1Gi" (-1 for no limit), found "lots"`,
        `${PATH}.replicas: expected a whole number from 1 to 5, found 0`,
        `${PATH}.retention: expected limits, interest or workqueue (Argo: 0, 1 or 2), found "forever"`,
      ].join('; '),
    });
    expect(resolve('maxAge: [1')).toMatchObject({
      problem: expect.stringMatching(/^spec\.jetstreamExotic\.streamConfig: the YAML string does not parse/),
    });
  });

  it('a streamName other than the EventBus name is refused, since processes find the stream by the bus name', () => {
    expect(resolve({ streamName: 'main' })).toHaveProperty('stream');
    expect(resolve({ streamName: 'events' })).toEqual({
      problem: `${PATH}.streamName: Impulse names the stream after the EventBus ("main"), since every process finds it by that name; remove streamName, or name the EventBus "events"`,
    });
  });
});
