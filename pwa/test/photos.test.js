import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_EDGE, downscaledSize } from '../src/shared/photos.js';

test('a camera photo is scaled so its long edge is 1600 px, keeping its shape', () => {
  assert.equal(MAX_EDGE, 1600);
  assert.deepEqual(downscaledSize(4000, 3000), { width: 1600, height: 1200 });
  assert.deepEqual(downscaledSize(3000, 4000), { width: 1200, height: 1600 });
  assert.deepEqual(downscaledSize(3264, 2448), { width: 1600, height: 1200 });
  assert.deepEqual(downscaledSize(4032, 1908), { width: 1600, height: 757 });
});

test('a small photo is never enlarged', () => {
  assert.deepEqual(downscaledSize(1200, 900), { width: 1200, height: 900 });
  assert.deepEqual(downscaledSize(1600, 1600), { width: 1600, height: 1600 });
});
