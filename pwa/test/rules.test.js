// The patrol's home and picker lists, and the route table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dueFor, followUpsFor, isDone, isOverdue, lastReturn, matchSubjects } from '../src/field/rules.js';
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
