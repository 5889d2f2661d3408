// The patrol's home and picker lists, and the route table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentPeriod, dueFor, followUpsFor, isDone, isOverdue, lastReturn, matchSubjects, rankUnits, shareEntry, withLocalWork }
  from '../src/field/rules.js';
import { HOME, activeNav, matchRoute, seesWorkspace } from '../src/routes.js';

test('the due list of the chosen property, done once the count is reached', () => {
  const due = [{ property_id: 1, done: 1, required: 1 }, { property_id: 2, done: 0, required: 1 }];
  assert.deepEqual(dueFor(due, 2), [due[1]]);
  assert.equal(isDone(due[0]), true);
  assert.equal(isDone(due[1]), false);
});

test('follow-ups: this property\'s (and unassigned ones), soonest due first; overdue only while open', () => {
  const list = [{ id: 1, property_id: 1, due_date: '2026-11-30' }, { id: 2, property_id: 2, due_date: '2026-11-01' },
    { id: 3, due_date: '2026-11-20' }, { id: 4, property_id: 1, due_date: '2026-11-10' }];
  assert.deepEqual(followUpsFor(list, 1).map((f) => f.id), [4, 3, 1]);
  assert.equal(isOverdue({ status: 'open', due_date: '2026-11-22' }, '2026-11-23'), true);
  assert.equal(isOverdue({ status: 'open', due_date: '2026-11-23' }, '2026-11-23'), false);
  assert.equal(isOverdue({ status: 'fixed', due_date: '2026-11-01' }, '2026-11-23'), false);
  assert.equal(isOverdue({ status: 'open' }, '2026-11-23'), false);
});

test('lastReturn: the latest "return" step, not a later approval', () => {
  const record = { reviews: [{ action: 'return', comment: 'a' }, { action: 'return', comment: 'b' },
    { action: 'approve' }] };
  assert.equal(lastReturn(record).comment, 'b');
  assert.equal(lastReturn({}), null);
});

test('subject search: every word must match, commas of either width split words', () => {
  const rows = [{ id: 1, label: '3栋2单元1102', search: '3 2 1102 3栋2单元1102 林女士' },
    { id: 2, label: '3栋1单元1102', search: '3 1 1102 3栋1单元1102 王先生' }, { id: 3, label: 'ZX-7 · Acme' }];
  assert.deepEqual(matchSubjects(rows, '1102 林').map((r) => r.id), [1]);
  assert.deepEqual(matchSubjects(rows, '1102，3栋').map((r) => r.id), [1, 2]);
  assert.deepEqual(matchSubjects(rows, 'acme').map((r) => r.id), [3]);
  assert.equal(matchSubjects(rows, '  ').length, 3);
  assert.equal(matchSubjects(Array.from({ length: 80 }, (_, id) => ({ id, label: `u${id}` })), 'u').length, 50);
});

const patrol = { role: 'patrol' };
const supervisor = { role: 'supervisor' };

test('routes: a patrol opens the field screens; a workspace route sends them home', () => {
  assert.equal(matchRoute(['form', 'abc'], patrol).route.screen, 'ChecklistForm');
  assert.equal(matchRoute(['form', 'abc'], patrol).id, 'abc');
  assert.equal(matchRoute(['fix', 'f1'], patrol).route.screen, 'FixFollowUp');
  assert.equal(matchRoute(['new', '1', 'key_audit'], patrol).route.screen, 'NewInspection');
  for (const path of [['records'], ['record', 'r1'], ['followups'], ['compliance']]) {
    assert.equal(matchRoute(path, patrol).route, HOME, path.join('/'));
  }
  assert.equal(seesWorkspace(patrol), false);
});

test('routes: supervisors, managers and admins open the workspace, from its own chunk', () => {
  for (const role of ['supervisor', 'manager', 'admin']) {
    const { route, id } = matchRoute(['record', 'r1'], { role });
    assert.deepEqual([route.screen, route.workspace, id], ['RecordView', true, 'r1']);
    assert.equal(seesWorkspace({ role }), true);
  }
  assert.equal(matchRoute(['records'], supervisor).route.key, 'hash');
  assert.equal(matchRoute(['form', 'abc'], supervisor).route.workspace, undefined);
});

test('routes: a route missing its id, or unknown, opens home; the current workspace link', () => {
  assert.equal(matchRoute(['form'], patrol).route, HOME);
  assert.equal(matchRoute(['nowhere'], supervisor).route, HOME);
  assert.equal(matchRoute([], supervisor).route, HOME);
  assert.equal(activeNav(['record', 'r1']), 'records');
  assert.equal(activeNav(['followup', 'f1']), 'followups');
  assert.equal(activeNav(['compliance']), 'compliance');
  assert.equal(activeNav([]), 'home');
  assert.equal(activeNav(['form', 'abc']), 'form');
});

// A day's renovation patrol and a month's share of households, as the pull sends them (Shanghai).
const patrolDue = { property_id: 1, checklist_code: 'renovation_patrol', rule_id: 'daily', period: 'day',
  subject: { type: 'renovation', id: 7 }, done: 0, required: 1,
  period_start: '2026-11-23T00:00:00+08:00', period_end: '2026-11-24T00:00:00+08:00' };
const visitsDue = { property_id: 1, checklist_code: 'home_visit', rule_id: 'share', period: 'month',
  subject: { type: 'unit', id: null }, done: 1, required: 3, candidate_unit_ids: [11, 12, 13],
  period_start: '2026-11-01T00:00:00+08:00', period_end: '2026-12-01T00:00:00+08:00' };
const local = (state, code, subject, completedAt, extra = {}) => ({ id: `${code}-${subject.id}-${completedAt}`,
  state, property_id: 1, checklist: { code }, subject, started_at: '2026-11-23T09:00:00+08:00',
  completed_at: completedAt, ...extra });
const NOW = Date.parse('2026-11-23T10:00:00+08:00');

test('the due list counts work on the phone at once: a draft, a sealed record, one sent since the pull', () => {
  const draft = local('draft', 'renovation_patrol', { type: 'renovation', id: 7 }, null);
  let entry = withLocalWork(patrolDue, [draft], [], NOW);
  assert.deepEqual([entry.done, entry.drafts.length, entry.waiting.length, isDone(entry)], [0, 1, 0, false]);

  const sealed = local('outbox', 'renovation_patrol', { type: 'renovation', id: 7 }, '2026-11-23T09:30:00+08:00');
  entry = withLocalWork(patrolDue, [sealed], [], NOW);
  assert.deepEqual([entry.done, entry.waiting.length, isDone(entry)], [1, 1, true]);

  const sent = { ...sealed, state: undefined, sent_at: NOW };
  entry = withLocalWork(patrolDue, [], [sent], NOW);
  assert.deepEqual([entry.done, entry.sentHere, isDone(entry)], [1, 1, true]);

  // Another renovation, another property, yesterday's record, another checklist: not this entry's.
  const others = [local('outbox', 'renovation_patrol', { type: 'renovation', id: 8 }, '2026-11-23T09:30:00+08:00'),
    { ...sealed, id: 'p2', property_id: 2 },
    local('outbox', 'renovation_patrol', { type: 'renovation', id: 7 }, '2026-11-22T23:59:00+08:00'),
    local('outbox', 'night_check', { type: 'renovation', id: 7 }, '2026-11-23T09:30:00+08:00')];
  assert.equal(withLocalWork(patrolDue, others, [], NOW).done, 0);
});

test("a share of households counts each household once, and not one the server counted already", () => {
  const visit = (unit, state = 'outbox') => local(state, 'home_visit', { type: 'unit', id: unit }, '2026-11-20T10:00:00+08:00');
  const entry = withLocalWork(visitsDue, [visit(11), visit(11), visit(12), visit(99)], [{ ...visit(13), sent_at: NOW }], NOW);
  // 11 twice counts once; 99 is not a candidate (visited already this month): 1 + 11, 12, 13.
  assert.equal(entry.done, 4);
});

test("past midnight in the property's zone, offline, a day's entry starts again with nothing done", () => {
  const done = { ...patrolDue, done: 1 };
  const halfPastMidnight = Date.parse('2026-11-24T00:30:00+08:00');
  const next = currentPeriod(done, halfPastMidnight);
  assert.deepEqual([next.period_start, next.period_end, next.done],
    ['2026-11-24T00:00:00+08:00', '2026-11-25T00:00:00+08:00', 0]);
  assert.equal(currentPeriod(done, NOW), done);
  // Three days offline; and a month rolls to the 1st of the next month, in the same zone.
  assert.equal(currentPeriod(done, Date.parse('2026-11-26T08:00:00+08:00')).period_start, '2026-11-26T00:00:00+08:00');
  assert.deepEqual([currentPeriod(visitsDue, Date.parse('2026-12-01T00:10:00+08:00')).period_end],
    ['2027-01-01T00:00:00+08:00']);
  // Yesterday's sealed record does not count toward today.
  const yesterday = local('outbox', 'renovation_patrol', { type: 'renovation', id: 7 }, '2026-11-23T09:30:00+08:00');
  assert.equal(withLocalWork(done, [yesterday], [], halfPastMidnight).done, 0);
});

test('unit search takes a unit the way people type it', () => {
  const unit = (id, building, entrance, room, owner = '') => ({ id, label: `${building}栋${entrance}单元${room}`,
    parts: { building, entrance, room }, search: `${building}栋${entrance}单元${room} ${owner}` });
  const rows = [unit(1, '5', '1', '802', '林女士'), unit(2, '5', '2', '802'), unit(3, '15', '1', '802'),
    unit(4, '5', '1', '1802'), unit(5, '6', '1', '502')];
  const ids = (query) => matchSubjects(rows, query).map((r) => r.id);
  assert.deepEqual(ids('5-1-802'), [1]);
  assert.deepEqual(ids('5 1 802'), [1]);
  assert.deepEqual(ids('5栋1单元802'), [1]);
  assert.deepEqual(ids('5栋802'), [1, 2]);
  assert.deepEqual(ids('5-802'), [1, 2]);
  assert.deepEqual(ids('802'), [1, 2, 3]);     // the room, not every number containing 802
  assert.deepEqual(ids('５栋８０２'), [1, 2]);  // full-width digits from a Chinese keyboard
  assert.deepEqual(ids('802室'), [1, 2, 3]);
  assert.deepEqual(ids('林'), [1]);
  assert.deepEqual(ids('802 林女士'), [1]);
  assert.deepEqual(ids('1单元802'), [1, 3]);
});

test('household visits: units the server proposes first, in its order; the rest visited when its list is complete', () => {
  const rows = [{ id: 1, label: '1-1-101' }, { id: 2, label: '1-1-102' }, { id: 3, label: '1-1-103' },
    { id: 4, label: '1-1-104' }];
  const entry = { property_id: 7, checklist_code: 'home_visit', subject: { type: 'unit', id: null },
    candidate_unit_ids: [3, 1] };  // 3 is a key customer, so the server put it first
  const ranked = rankUnits(rows, entry);
  assert.deepEqual(ranked.map((r) => r.id), [3, 1, 2, 4]);
  assert.deepEqual(ranked.map((r) => r.suggested), [true, true, false, false]);
  assert.deepEqual(ranked.map((r) => r.visited), [false, false, true, true]);
  // A full list of 50 says nothing about the others: they are not marked visited.
  const many = Array.from({ length: 50 }, (_, i) => i + 100);
  const partial = rankUnits(rows, { ...entry, candidate_unit_ids: [2, ...many.slice(1)] });
  assert.deepEqual(partial.map((r) => [r.id, r.suggested, r.visited]),
    [[2, true, false], [1, false, false], [3, false, false], [4, false, false]]);
  // No share rule at this property: nothing suggested or marked, order kept.
  assert.deepEqual(rankUnits(rows, null), rows);
  assert.equal(shareEntry([entry, { ...entry, subject: { type: 'unit', id: 5 } }], 7, 'home_visit'), entry);
  assert.equal(shareEntry([entry], 8, 'home_visit'), null);
});
