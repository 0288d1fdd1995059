import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBus, type EventBus } from '../../eventbus/index.ts';
import type { WebhookPayload } from '../../eventsources/index.ts';
import { waitFor } from '../support/wait.ts';
import { postJson } from './http-client.ts';
import { startWebhookFixture, type WebhookFixture } from './webhook-fixture.ts';

let bus: EventBus & AsyncDisposable;
let fixture: WebhookFixture | undefined;

beforeEach(() => {
  bus = createMemoryBus({ name: 'test' });
});

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  await bus.close();
});

describe('webhook source with filter.expression', () => {
  it('answers 200 to an event its filter drops, as Argo Events does, but does not publish it', async () => {
    fixture = await startWebhookFixture({
      bus,
      webhook: {
        example: {
          filter: {
            expression:
              'body.action in ["opened", "closed"] && header["X-Github-Event"][0] == "pull_request"',
          },
        },
      },
    });
    const headers = { 'x-github-event': 'pull_request' };
    const dropped = await postJson(fixture.url('example'), { action: 'labeled' }, headers);
    expect(dropped.status).toBe(200);
    expect(dropped.json).toEqual({ id: expect.any(String), published: false });
    // The filter fails on a body without the header it reads: dropped as well, still 200.
    const noHeader = await postJson(fixture.url('example'), { action: 'opened' });
    expect(noHeader.status).toBe(200);
    expect(noHeader.json.published).toBe(false);

    const kept = await postJson(fixture.url('example'), { action: 'opened' }, headers);
    expect(kept.status).toBe(200);
    expect(kept.json).toEqual({ id: expect.any(String) });
    const event = await waitFor(() => fixture!.events[0]);
    expect(event.id).toBe(kept.json.id);
    expect((event.data as WebhookPayload).body).toEqual({ action: 'opened' });
    expect(fixture.events).toHaveLength(1);
  });

  it('refuses to start with a filter outside the supported subset, naming the field', async () => {
    await expect(
      startWebhookFixture({ bus, webhook: { example: { filter: { expression: 'len(body) > 0' } } } }),
    ).rejects.toThrow(/spec\.webhook\.example\.filter\.expression: invalid expression "len\(body\) > 0"/);
  });
});
