import { Redis } from 'ioredis';
import { startPrivateRedis } from './private-redis.js';

describe('startPrivateRedis', () => {
  it('with AOF, a key survives a stop and a start on the same port; started empty, it is gone', async () => {
    const redis = await startPrivateRedis({ persistence: 'aof' });
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    try {
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await client.config('GET', 'appendfsync')).toEqual(['appendfsync', 'everysec']);
      await client.set('kept', '1');
      await redis.stop('SIGTERM');
      await redis.start();
      expect(await client.get('kept')).toBe('1');
      await redis.stop('SIGKILL');
      await redis.start({ empty: true });
      expect(await client.get('kept')).toBeNull();
    } finally {
      client.disconnect();
      await redis.close();
    }
  });
});
