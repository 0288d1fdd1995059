import { createRedisStreamSource } from '../../../eventsources/redis-stream/index.ts';
import { runRedisConformance } from '../redis-conformance.ts';

runRedisConformance({
  type: 'redisStream',
  config: (hostAddress, stream) => ({ hostAddress, streams: [stream], consumerGroup: 'conformance' }),
  create: (init, { backoff }) => createRedisStreamSource(init, { backoff, blockMs: 500 }),
  produce: async (client, stream) => {
    await client.redis.xadd(stream, '*', 'hello', 'stream');
  },
});
