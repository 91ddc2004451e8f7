import { PassThrough } from 'node:stream';
import { useTestRedis, type TestRedis } from '@shoptok/testkit';
import { runDoctorCommand } from './doctor.js';

async function doctor(env: Record<string, string | undefined>): Promise<{ code: number; output: string }> {
  const stdout = new PassThrough();
  let output = '';
  stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await runDoctorCommand({ stdout, env });
  return { code, output };
}

describe('shoptok doctor (real Redis)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await useTestRedis('doctor');
  });
  afterAll(async () => {
    await redis.cleanup();
  });

  it('still checks Redis from REDIS_URL when another setting is malformed, and says so', async () => {
    const { code, output } = await doctor({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      SYNC_INTERVAL: 'every five minutes',
    });
    expect(code).toBe(1); // the config problem still fails the check
    expect(output).toMatch(/^FAIL config: [^\n]*\n(.*\n)*.*SYNC_INTERVAL: must be a whole number/m);
    expect(output).toMatch(/^ok {3}redis source: .*checked from REDIS_URL alone/m);
    expect(output).toMatch(/^ok {3}redis: .* answers \(Redis \d/m);
    expect(output).toMatch(/^(ok {3}|FAIL )redis maxmemory-policy: /m);
  });

  it('says Redis was not checked when REDIS_URL itself is malformed', async () => {
    const { code, output } = await doctor({ REDIS_URL: 'http://not-redis', SYNC_INTERVAL: 'x' });
    expect(code).toBe(1);
    expect(output).toMatch(/^FAIL redis: not checked: REDIS_URL itself is malformed/m);
    expect(output).not.toMatch(/answers \(Redis/);
  });
});
