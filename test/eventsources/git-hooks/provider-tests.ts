import { afterEach, beforeEach } from 'vitest';
import type { SourceType } from '../../../crds/index.ts';
import { createMemoryBus, type EventBus } from '../../../eventbus/index.ts';
import type { SourceRegistry } from '../../../eventsources/index.ts';
import { type Answer, send } from '../http-client.ts';
import { type FakeProviderApi, type FakeProviderOptions, startFakeProviderApi } from './fake-provider-api.ts';
import { type GitFixture, sign, startGitSource } from './git-fixture.ts';

export interface ProviderTestOptions {
  type: SourceType;
  /** Secrets, as `IMPULSE_SECRET_<NAME>_<KEY>` variables. */
  env: NodeJS.ProcessEnv;
  /** The event's configuration every `start` begins with; read per test (it may name `api.url`). */
  config(): Record<string, unknown>;
  /** A fake provider API, started before each test and closed after it. */
  api?: FakeProviderOptions;
  /** Factories by source type (to point a source at the test's API); read per test. */
  registry?(): SourceRegistry;
}

/** What a Git provider's tests share; the fields are this test's, fresh for each. */
export interface ProviderTests {
  readonly bus: EventBus;
  /** Only with the `api` option. */
  readonly api: FakeProviderApi;
  /** Starts the source with `extra` over the configuration, on `bus` unless told; closed after the test. */
  start(extra?: Record<string, unknown>, bus?: EventBus): Promise<GitFixture>;
}

/**
 * The setup of a Git provider's test file: before each test a memory bus (and the fake provider
 * API), after it every source the test started closed, then the bus and the API. Call it at the
 * top level of the file.
 */
export function providerTests(options: ProviderTestOptions): ProviderTests {
  let bus: EventBus & AsyncDisposable;
  let api: FakeProviderApi | undefined;
  const fixtures: GitFixture[] = [];

  beforeEach(async () => {
    bus = createMemoryBus({ name: 'test' });
    if (options.api) api = await startFakeProviderApi(options.api);
  });
  afterEach(async () => {
    await Promise.allSettled(fixtures.splice(0).map((f) => f.close()));
    await bus.close();
    await api?.close();
    api = undefined;
  });

  return {
    get bus() {
      return bus;
    },
    get api() {
      if (!api) throw new Error(`the ${options.type} tests start no fake API: pass the api option`);
      return api;
    },
    async start(extra = {}, target = bus) {
      const f = await startGitSource({
        bus: target,
        type: options.type,
        config: { ...options.config(), ...extra },
        env: options.env,
        ...(options.registry ? { registry: options.registry() } : {}),
      });
      fixtures.push(f);
      return f;
    },
  };
}

/** How a provider signs a delivery: into `header`, with `sign`'s algorithm (sha256) and prefix. */
export interface Signing {
  header: string;
  algorithm?: string;
  prefix?: string;
}

export interface DeliveryOptions {
  /** The provider's event and delivery id headers, and any other. */
  headers: Record<string, string>;
  /** Signs with this secret in every `signing` header; null sends none. */
  secret: string | null;
  signing: Signing[];
  /** Form-encoded, the JSON in a `payload` field (GitHub's and Gitea's `contentType: form`). */
  form?: boolean;
  /** @default application/json (or the form's type) */
  contentType?: string;
}

/** Posts a delivery as a provider sends it: `body` as JSON, with its headers, signed over the bytes sent. */
export function postDelivery(url: string, body: unknown, options: DeliveryOptions): Promise<Answer> {
  const json = JSON.stringify(body);
  const text = options.form ? `payload=${encodeURIComponent(json)}` : json;
  const headers: Record<string, string> = {
    'content-type':
      options.contentType ?? (options.form ? 'application/x-www-form-urlencoded' : 'application/json'),
    ...options.headers,
  };
  if (options.secret !== null) {
    for (const { header, algorithm, prefix } of options.signing) {
      headers[header] = sign(options.secret, text, algorithm, prefix);
    }
  }
  return send(url, { headers, body: text });
}
