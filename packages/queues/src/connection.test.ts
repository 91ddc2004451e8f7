import { Cluster, Redis } from 'ioredis';
import { dataNodes, parseRedisClusterUrl } from './connection.js';

describe('parseRedisClusterUrl', () => {
  it('leaves a one-server URL alone', () => {
    expect(parseRedisClusterUrl('redis://127.0.0.1:6379')).toBeUndefined();
    expect(parseRedisClusterUrl('rediss://:secret@redis.example.com:6380/2')).toBeUndefined();
  });

  it('reads the seed nodes, the credentials and TLS of a cluster URL', () => {
    expect(parseRedisClusterUrl('redis+cluster://10.0.0.1:6379,10.0.0.2:6380')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 6379 },
        { host: '10.0.0.2', port: 6380 },
      ],
      tls: false,
    });
    expect(parseRedisClusterUrl('rediss+cluster://ops:p%40ss@redis-0.redis:6379,[::1]:7000/')).toEqual({
      nodes: [
        { host: 'redis-0.redis', port: 6379 },
        { host: '::1', port: 7000 },
      ],
      username: 'ops',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisClusterUrl('redis+cluster://:only-a-password@h:1')).toMatchObject({ password: 'only-a-password' });
    expect(parseRedisClusterUrl('redis+cluster://:only-a-password@h:1')).not.toHaveProperty('username');
  });

  it('refuses a malformed cluster URL in words, never echoing the password', () => {
    expect(() => parseRedisClusterUrl('redis+cluster://10.0.0.1:6379/1')).toThrow(/no database number, path or query/);
    expect(() => parseRedisClusterUrl('redis+cluster://10.0.0.1')).toThrow('the Redis Cluster node "10.0.0.1" is not host:port');
    expect(() => parseRedisClusterUrl('redis+cluster://h:70000')).toThrow(/is not host:port/);
    for (const url of ['redis+cluster://:hunter2/x@h:1', 'redis+cluster://:hunter2@h', 'redis+cluster://:hun@ter2@h:1']) {
      expect(() => parseRedisClusterUrl(url)).toThrow();
      expect(() => parseRedisClusterUrl(url)).not.toThrow(/hunter2|ter2/);
    }
  });
});

describe('dataNodes', () => {
  it('is the one server, or refuses while a cluster has no known master instead of giving none', () => {
    const single = new Redis({ lazyConnect: true });
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    try {
      expect(dataNodes(single)).toEqual([single]);
      expect(() => dataNodes(cluster)).toThrow(/masters are not known yet \(status wait\)/);
    } finally {
      single.disconnect();
      cluster.disconnect();
    }
  });
});
