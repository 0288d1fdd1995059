import { createRedisSource } from '../../../eventsources/redis/index.ts';
import { runRedisConformance } from '../redis-conformance.ts';

runRedisConformance({
  type: 'redis',
  config: (hostAddress, channel) => ({ hostAddress, channels: [channel] }),
  create: (init, { backoff }) => createRedisSource(init, { backoff }),
  produce: async (client, channel) => {
    await client.redis.publish(channel, 'hello');
  },
});
