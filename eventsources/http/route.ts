import type { IncomingHttpHeaders } from 'node:http';

/** The largest request body a webhook accepts unless its `maxPayloadSize` says otherwise: 1 MiB. */
export const DEFAULT_MAX_PAYLOAD_SIZE = 1024 * 1024;

/** PEM material of an HTTPS port. */
export interface TlsMaterial {
  cert: string;
  key: string;
}

/** What a route handler sees of a request before its body is read. */
export interface WebhookRequestHead {
  method: string;
  /** The path, without the query string. */
  path: string;
  /** The raw query string, without `?` (empty when there is none). */
  query: string;
  /** Node's view: lower-case names, repeated values joined. */
  headers: IncomingHttpHeaders;
  /** Names and values as received: `[name, value, name, value, ...]`. */
  rawHeaders: readonly string[];
}

/** A request as a webhook handler gets it: the body is the raw bytes, whatever the content type. */
export interface WebhookRequest extends WebhookRequestHead {
  /** Empty when the request had no body (always for GET). */
  body: Buffer;
}

/** A handler's answer. An object or array `body` is sent as JSON. */
export interface WebhookResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface WebhookRouteOptions {
  /** The port to serve on; 0 picks a free one (see `WebhookRoute.port`). */
  port: number;
  /** Upper-case HTTP method. */
  method: string;
  /** The path, starting with `/`. */
  endpoint: string;
  /** Serve the port over HTTPS. Every route of a port must agree. */
  tls?: TlsMaterial;
  /** Larger bodies are answered 413. @default 1 MiB */
  maxPayloadSize?: number;
  /** Who registered the route, for error messages: `spec.webhook.example`. */
  owner: string;
  /**
   * Runs before the body is read; returning a response refuses the request with it. Keeps
   * unauthenticated senders from making the server read their bodies.
   */
  authorize?(head: WebhookRequestHead): WebhookResponse | undefined;
  /** Told when the server refuses a request to this route itself (413 too large, 415, ...). */
  onRefused?(status: number): void;
  /** Turns a request into an answer; a throw is answered 500 and logged. */
  handler(request: WebhookRequest): Promise<WebhookResponse>;
}

/** A registered route. */
export interface WebhookRoute {
  /** Resolves once the port's server listens; rejects with the reason it could not. */
  readonly listening: Promise<void>;
  /** The port the server listens on (the chosen one when 0 was asked for, once listening). */
  readonly port: number;
  /** Requests this route is answering right now. */
  readonly inFlight: number;
  /**
   * Stops intake (later requests get 503 with `Retry-After`) and resolves once the requests in
   * flight have been answered. Safe to call twice.
   */
  close(): Promise<void>;
}

/** A JSON error answer. */
export function errorResponse(
  status: number,
  message: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
): WebhookResponse {
  return { status, body: { error: message, ...extra }, ...(headers ? { headers } : {}) };
}

/** Registration state and in-flight accounting of one route. */
export class RouteState implements WebhookRoute {
  readonly options: WebhookRouteOptions;
  readonly maxPayloadSize: number;
  readonly listening: Promise<void>;
  port: number;
  inFlight = 0;
  #open = true;
  #closing: Promise<void> | undefined;
  #onIdle: (() => void) | undefined;
  #settle!: { resolve(): void; reject(err: unknown): void };

  constructor(options: WebhookRouteOptions) {
    this.options = options;
    this.port = options.port;
    this.maxPayloadSize = options.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD_SIZE;
    this.listening = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // A route whose driver never awaits `listening` must not turn a startup failure into an
    // unhandled rejection; the pool reports the failure from `start()` as well.
    this.listening.catch(() => undefined);
  }

  get open(): boolean {
    return this.#open;
  }

  /** Called by the pool once the port listens (or could not). */
  listened(port: number, err?: unknown): void {
    if (err === undefined) {
      this.port = port;
      this.#settle.resolve();
    } else this.#settle.reject(err);
  }

  /** Brackets one request; returns false while the route is closing (answer 503). */
  enter(): boolean {
    if (!this.#open) return false;
    this.inFlight++;
    return true;
  }

  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.#onIdle?.();
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#open = false;
      if (this.inFlight === 0) resolve();
      else this.#onIdle = resolve;
    });
    return this.#closing;
  }
}
