import { answersPing, freePort, provideDemoRedis } from './redis.js';

describe('the demo finds itself a Redis', () => {
  it('uses REDIS_URL as given, without a password in what it prints', async () => {
    const redis = await provideDemoRedis('redis://:s3cret@10.0.0.5:6380/2');
    expect(redis).toMatchObject({ url: 'redis://:s3cret@10.0.0.5:6380/2', origin: 'redis://***@10.0.0.5:6380/2 (REDIS_URL)' });
  });

  it('starts a private redis-server when nothing answers on the local port, and stops it', async () => {
    const silentPort = await freePort();
    const redis = await provideDemoRedis(undefined, { localPort: silentPort });
    expect(redis).toBeDefined();
    try {
      expect(redis?.origin).toMatch(/^a private redis-server on port \d+/);
      const port = Number(new URL(redis?.url ?? '').port);
      expect(port).not.toBe(silentPort);
      expect(await answersPing(port)).toBe(true);
      await redis?.stop();
      expect(await answersPing(port)).toBe(false);
    } finally {
      redis?.kill();
    }
  });
});
