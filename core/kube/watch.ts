import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { ImpulseError } from '../errors.ts';
import { kubeError } from '../kube.ts';
import type { WatchEvent } from './types.ts';

/**
 * The events of a watch answer, one JSON line each, as they arrive: the stream pauses while the
 * caller is busy with one. Ends when the server closes the stream or `signal` aborts; a broken
 * connection is a classified error (`what` names the watch). Destroys the answer when done.
 */
export async function* readEvents(
  res: IncomingMessage,
  what: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<WatchEvent> {
  const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let event: WatchEvent;
      try {
        event = JSON.parse(line) as WatchEvent;
      } catch (err) {
        throw new ImpulseError('TRANSIENT', `${what}: a watch event is not JSON`, { cause: err });
      }
      yield event;
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw kubeError(err, what);
  } finally {
    lines.close();
    res.destroy();
  }
}
