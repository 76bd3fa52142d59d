// node-redis and ioredis against a Volley RESP server, each with its default settings
// (node-redis: RESP3; ioredis: RESP2 with its INFO ready check):
//   NODE_PATH=DIR/node_modules node node_clients.cjs PORT
// Each check throws naming what differed; the script prints "ok" at the end.
'use strict';

const assert = require('node:assert/strict');
const { createClient } = require('redis');
const Redis = require('ioredis');

const port = Number(process.argv[2]);

async function nodeRedis() {
  const client = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false } });
  client.on('error', (error) => { throw error; });
  await client.connect();
  const hello = await client.sendCommand(['HELLO']);
  assert.equal(hello.proto, 3, 'node-redis negotiates RESP3');
  assert.equal(await client.ping(), 'PONG');
  assert.equal(await client.set('k', 'v'), 'OK');
  assert.equal(await client.get('k'), 'v');
  assert.equal(await client.get('missing'), null);
  assert.equal(await client.incrBy('n', 5), 5);
  assert.equal(await client.hSet('h', { f1: 'v1', f2: 'v2' }), 2);
  assert.equal(await client.hGet('h', 'f1'), 'v1');
  assert.equal(await client.sAdd('s', ['x', 'y']), 2);
  assert.equal(await client.sCard('s'), 2);
  assert.equal(await client.zAdd('z', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }]), 2);
  assert.equal(await client.rPush('l', ['a', 'b']), 2);
  assert.deepEqual(await client.lRange('l', 0, -1), ['a', 'b']);
  const replies = await client.multi().set('p', '1').get('p').incr('p').execAsPipeline();
  assert.deepEqual(replies, ['OK', '1', 2], 'pipeline');
  await assert.rejects(client.incr('k'), /not an integer/);
  assert.equal(await client.get('k'), 'v', 'usable after an error');
  const id = await client.clientId();
  assert.ok(id > 0, 'CLIENT ID');
  assert.equal(await client.clientSetName('node'), 'OK');
  assert.equal(await client.clientGetName(), 'node');
  const info = await client.info('server');
  assert.match(info, /redis_version:7\.0\.15/);
  assert.deepEqual(await client.configGet('maxmemory'), { maxmemory: '0' });
  await client.close();
}

async function ioredis() {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
  await new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  assert.equal(await client.set('io', 'v'), 'OK');
  assert.equal(await client.get('io'), 'v');
  assert.equal(await client.hset('ioh', 'f', 'v'), 1);
  assert.equal(await client.hget('ioh', 'f'), 'v');
  assert.equal(await client.sadd('ios', 'a', 'b'), 2);
  assert.equal(await client.zadd('ioz', 1, 'a'), 1);
  const results = await client.pipeline().set('iop', '1').get('iop').incr('iop').exec();
  assert.deepEqual(results, [[null, 'OK'], [null, '1'], [null, 2]], 'pipeline');
  assert.ok((await client.client('ID')) > 0, 'CLIENT ID');
  assert.equal(await client.client('SETNAME', 'io'), 'OK');
  assert.equal(await client.client('GETNAME'), 'io');
  assert.match(await client.info(), /connected_clients:\d+/);
  await client.quit();
}

// Transactions, blocking pops and pub/sub, with a second connection doing the writes.
async function nodeRedisWaits() {
  const options = { socket: { port, host: '127.0.0.1', reconnectStrategy: false } };
  const client = createClient(options);
  client.on('error', (error) => { throw error; });
  await client.connect();
  const other = client.duplicate();
  await other.connect();
  assert.deepEqual(await client.multi().set('t', '1').incr('t').exec(), ['OK', 2], 'MULTI/EXEC');
  const blocked = client.blPop('nq', 10);
  while (!/blocked_clients:1\r\n/.test(await other.info('clients'))) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(await other.rPush('nq', 'job'), 1);
  assert.deepEqual(await blocked, { key: 'nq', element: 'job' }, 'BLPOP served by a push');
  const sub = client.duplicate();
  await sub.connect();
  const received = new Promise((resolve) => {
    sub.subscribe('news', (message, channel) => resolve([channel, message]));
  });
  while ((await other.pubSubNumSub('news')).news !== 1) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(await other.publish('news', 'hello'), 1, 'PUBLISH');
  assert.deepEqual(await received, ['news', 'hello'], 'message pushed over RESP3');
  await sub.unsubscribe('news');
  await sub.close();
  await other.close();
  await client.close();
}

async function ioredisWaits() {
  const options = { port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null };
  const client = new Redis(options);
  const other = new Redis(options);
  const sub = new Redis(options);
  assert.deepEqual(await client.multi().set('it', '1').incr('it').exec(), [[null, 'OK'], [null, 2]]);
  await client.watch('iw');
  await other.set('iw', 'theirs');
  assert.equal(await client.multi().set('iw', 'mine').exec(), null, 'EXEC fails after a watched write');
  assert.equal(await other.get('iw'), 'theirs');
  const blocked = client.brpop('iq', 10);
  while (!/blocked_clients:1\r\n/.test(await other.info('clients'))) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await other.lpush('iq', 'job');
  assert.deepEqual(await blocked, ['iq', 'job'], 'BRPOP served by a push');
  const received = new Promise((resolve) => sub.on('message', (channel, message) => resolve([channel, message])));
  assert.equal(await sub.subscribe('ionews'), 1);
  assert.equal(await other.publish('ionews', 'hi'), 1);
  assert.deepEqual(await received, ['ionews', 'hi']);
  sub.disconnect();
  await other.quit();
  await client.quit();
}

(async () => {
  await nodeRedis();
  await ioredis();
  await nodeRedisWaits();
  await ioredisWaits();
  console.log('ok');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
