import { createLogger } from '@shoptok/logger';
import { ShutdownRegistry } from './shutdown.js';

const logger = createLogger({ level: 'silent', console: false });

describe('ShutdownRegistry', () => {
  it('runs phases in order (intake, workers, flush, connections) once, whatever the order of registration', async () => {
    const order: string[] = [];
    const registry = new ShutdownRegistry({ logger });
    registry.add('connections', 'redis', () => order.push('redis'));
    registry.add('flush', 'logs', () => order.push('logs'));
    registry.add('workers', 'inventory worker', async () => order.push('worker'));
    registry.add('intake', 'http server', () => order.push('http'));
    const [a, b] = await Promise.all([registry.shutdown('SIGTERM'), registry.shutdown('SIGINT')]);
    expect(order).toEqual(['http', 'worker', 'logs', 'redis']);
    expect([a, b]).toEqual([0, 0]);
  });

  it('goes on after a failed step and says so in the exit code', async () => {
    const order: string[] = [];
    const registry = new ShutdownRegistry({ logger });
    registry.add('workers', 'broken', () => {
      throw new Error('boom');
    });
    registry.add('connections', 'redis', () => order.push('redis'));
    expect(await registry.shutdown('test')).toBe(1);
    expect(order).toEqual(['redis']);
  });

  it('gives up at the deadline with exit code 2', async () => {
    const registry = new ShutdownRegistry({ logger, deadlineMs: 50 });
    let release: () => void = () => undefined;
    registry.add('workers', 'stuck worker', () => new Promise<void>((resolve) => (release = resolve)));
    expect(await registry.shutdown('test')).toBe(2);
    release();
  });
});
