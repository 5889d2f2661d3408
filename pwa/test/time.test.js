import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoNow, todayIso } from '../src/shared/time.js';

test('isoNow: local time with its offset, naming the same instant', () => {
  for (const date of [new Date(Date.UTC(2026, 10, 23, 1, 2, 3)), new Date(Date.UTC(2026, 0, 1, 23, 59, 59))]) {
    const text = isoNow(date);
    assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    assert.equal(new Date(text).getTime(), Math.floor(date.getTime() / 1000) * 1000);
  }
});

test('todayIso: the UTC date', () => {
  assert.equal(todayIso(new Date(Date.UTC(2026, 10, 23, 23, 30))), '2026-11-23');
});
