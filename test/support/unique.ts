import { randomUUID } from 'node:crypto';

/** A name no other test uses, for queues, topics, streams and keys on shared servers: `<prefix>-<random>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
