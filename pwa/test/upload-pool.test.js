// The outbox's uploads: a few at a time, each image once, stopped cleanly after a failure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uploadPool } from '../src/shared/upload-pool.js';

/** Work that finishes when the test says so, recording what ran and how many at once. */
function controlled() {
  const started = [];
  const finish = new Map();
  let running = 0;
  let most = 0;
  const work = (key, signal) => new Promise((resolve, reject) => {
    started.push(key);
    running += 1;
    most = Math.max(most, running);
    const done = (fn) => (value) => { running -= 1; fn(value); };
    finish.set(key, { resolve: done(resolve), reject: done(reject) });
    signal.addEventListener('abort', () => finish.get(key).reject(new Error(`aborted ${key}`)));
  });
  return { work, started, finish, most: () => most };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('at most `limit` at once, started in the order asked, each key once', async () => {
  const c = controlled();
  const pool = uploadPool(2, c.work);
  const a = pool.want('a');
  pool.want('b');
  pool.want('c');
  assert.equal(pool.want('a'), a);  // asking again joins the first upload
  await tick();
  assert.deepEqual(c.started, ['a', 'b']);
  c.finish.get('b').resolve('B');
  await tick();
  assert.deepEqual(c.started, ['a', 'b', 'c']);
  c.finish.get('a').resolve('A');
  c.finish.get('c').resolve('C');
  assert.deepEqual(await Promise.all([a, pool.want('b'), pool.want('c')]), ['A', 'B', 'C']);
  assert.equal(c.most(), 2);
  assert.deepEqual(c.started, ['a', 'b', 'c']);
});

test('a failed upload fails only those waiting for it; the others go on', async () => {
  const c = controlled();
  const pool = uploadPool(3, c.work);
  const a = pool.want('a');
  const b = pool.want('b');
  await tick();
  c.finish.get('a').reject(new Error('refused'));
  await assert.rejects(a, /refused/);
  c.finish.get('b').resolve('B');
  assert.equal(await b, 'B');
});

test('stop: nothing new starts, what is in flight is aborted and has settled when stop resolves', async () => {
  const c = controlled();
  const pool = uploadPool(1, c.work);
  const a = pool.want('a');
  const b = pool.want('b');
  await tick();
  await pool.stop(new Error('run ended'));
  await assert.rejects(a, /aborted a/);
  await assert.rejects(b, /run ended/);
  assert.deepEqual(c.started, ['a']);
  assert.equal(pool.active, 0);
});
