import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addDays, dayIn, isoNow, monthIn, todayIso, recentMonths } from '../src/shared/time.js';

test('isoNow: local time with its offset, naming the same instant', () => {
  for (const date of [new Date(Date.UTC(2026, 10, 23, 1, 2, 3)), new Date(Date.UTC(2026, 0, 1, 23, 59, 59))]) {
    const text = isoNow(date);
    assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    assert.equal(new Date(text).getTime(), Math.floor(date.getTime() / 1000) * 1000);
  }
});

test("today and this month are the property's, not UTC's nor the phone's", () => {
  // 00:30 on 1 December in Shanghai is still 30 November in UTC.
  const halfPastMidnight = new Date(Date.UTC(2026, 10, 30, 16, 30));
  assert.equal(todayIso('Asia/Shanghai', halfPastMidnight), '2026-12-01');
  assert.equal(monthIn('Asia/Shanghai', halfPastMidnight), '2026-12');
  assert.equal(dayIn('UTC', halfPastMidnight), '2026-11-30');
  assert.equal(todayIso(undefined, halfPastMidnight), '2026-12-01');  // the default zone
});

test('addDays crosses months and years', () => {
  assert.equal(addDays('2026-11-30', 1), '2026-12-01');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2026-03-01', -1), '2026-02-28');
});

test('recentMonths: newest first, across the year', () => {
  assert.deepEqual(recentMonths('2026-02', 4), ['2026-02', '2026-01', '2025-12', '2025-11']);
  assert.equal(recentMonths('2026-11').length, 24);
});
