import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, NetworkError } from '../src/shared/api.js';
import { backoffDelay, isTransient, refusalAction } from '../src/shared/retry.js';

test('retries wait 1 s, doubling, at most 5 minutes', () => {
  assert.deepEqual([1, 2, 3, 4].map(backoffDelay), [1000, 2000, 4000, 8000]);
  assert.equal(backoffDelay(9), 256000);
  assert.equal(backoffDelay(10), 300000);
  assert.equal(backoffDelay(50), 300000);
});

test('what is tried again as it is, and what is the server\'s verdict', () => {
  const api = (status, code = 'x') => new ApiError(status, { error: { code, message: 'm' } });
  for (const error of [new NetworkError('cut'), api(500), api(503), api(408), api(429), api(401)]) {
    assert.equal(isTransient(error), true, String(error.status));
  }
  for (const error of [api(422), api(409), api(412), api(403), new Error('bug')]) {
    assert.equal(isTransient(error), false, String(error.status));
  }
});

test('a refusal the inspector can fix says "reopen"; anything else "contact your supervisor"', () => {
  assert.equal(refusalAction('record.invalid_answers'), 'action_reopen');
  assert.equal(refusalAction('record.stale_revision'), 'action_reopen');
  assert.equal(refusalAction('local.blob_missing'), 'action_reopen');
  assert.equal(refusalAction('record.different_content'), 'action_contact');
  assert.equal(refusalAction('access.property_denied'), 'action_contact');
});
