import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseQueueUrl } from './connection.js';

describe('parseQueueUrl', () => {
  it('reads host, port, database and credentials, and masks the password in the display name', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6390')).toEqual({ display: 'redis://127.0.0.1:6390', options: { host: '127.0.0.1', port: 6390, db: 0 } });
    expect(parseQueueUrl('redis://box')).toEqual({ display: 'redis://box', options: { host: 'box', port: 6379, db: 0 } });
    expect(parseQueueUrl('redis://:p%40ss@box:7000/3')).toEqual({
      display: 'redis://:***@box:7000/3',
      options: { host: 'box', port: 7000, db: 3, password: 'p@ss' },
    });
    expect(parseQueueUrl('redis://ann:pw@[::1]:6379').options).toEqual({ host: '::1', port: 6379, db: 0, username: 'ann', password: 'pw' });
    expect(parseQueueUrl('rediss://box:6380').options).toEqual({ host: 'box', port: 6380, db: 0, tls: {} });
  });

  it('takes a unix socket as a path or a unix: URL', () => {
    expect(parseQueueUrl('/run/redis/redis.sock')).toEqual({ display: '/run/redis/redis.sock', options: { path: '/run/redis/redis.sock' } });
    expect(parseQueueUrl('./redis.sock').options).toEqual({ path: './redis.sock' });
    expect(parseQueueUrl('unix:///tmp/r.sock').options).toEqual({ path: '/tmp/r.sock' });
    expect(parseQueueUrl('unix:/tmp/r.sock').options).toEqual({ path: '/tmp/r.sock' });
  });

  it.each([
    ['', 'queue URL is empty'],
    ['localhost:6379', "queue URL 'localhost:6379': protocol 'localhost:' is not redis: or rediss:"],
    ['http://box:6379', "protocol 'http:' is not redis: or rediss:"],
    ['redis://box/x', "database 'x' is not a number"],
    ['box', "queue URL 'box' is not redis://host:port or a unix socket path"],
    ['unix:', "names no socket path"],
  ])('rejects %j with a usage error', (url, message) => {
    expect(() => parseQueueUrl(url)).toThrow(UsageError);
    expect(() => parseQueueUrl(url)).toThrow(message);
  });
});
