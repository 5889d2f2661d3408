// Checklist rules beyond the shared case table: what only the phone decides (which register rows
// to show, which checklist version to open) and validation details it shows at each item.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appliesToOutcome, auditedKeys, findChecklist, isFailed, isRequired, latestChecklists, needsRegister, validate }
  from '../src/shared/checklist.js';

const definition = (items) => ({ sections: [{ id: 's', items }] });

test('auditedKeys: the keys still in the register, in tag order (K2 before K10)', () => {
  const keys = [
    { id: 1, tag_no: 'K10', status: 'in_custody' }, { id: 2, tag_no: 'K2', status: 'lent' },
    { id: 3, tag_no: 'K3', status: 'returned' }, { id: 4, tag_no: 'K1', status: 'missing' },
  ];
  assert.deepEqual(auditedKeys(keys).map((k) => k.tag_no), ['K1', 'K2', 'K10']);
});

test('isRequired: required_when wins over required, which is true unless said otherwise', () => {
  const conditional = { id: 'b', type: 'text', required: false, required_when: { item: 'a', equals: 'yes' } };
  assert.equal(isRequired(conditional, { a: { value: 'yes' } }), true);
  assert.equal(isRequired(conditional, { a: { value: 'no' } }), false);
  assert.equal(isRequired(conditional, {}), false);
  assert.equal(isRequired({ id: 'p', type: 'photo', required: false, min: 0 }, {}), false);
  assert.equal(isRequired({ id: 't', type: 'text', required: true }, {}), true);
  assert.equal(isRequired({ id: 't', type: 'text' }, {}), true);
});

test('appliesToOutcome: 未遇 hides what only a visit needs, and shows the door photo', () => {
  const visit = { ...definition([]), outcome: { item: 'visit_outcome', done: 'visited' } };
  const standard = { id: 'standard', type: 'pass_fail', required_when: { item: 'visit_outcome', equals: 'visited' } };
  const door = { id: 'door', type: 'photo', required_when: { item: 'visit_outcome', equals: 'not_home' } };
  const other = { id: 'desc', type: 'text', required_when: { item: 'fix', equals: 'yes' } };
  const notHome = { visit_outcome: { value: 'not_home' } };
  assert.deepEqual([standard, door, other].map((i) => appliesToOutcome(visit, i, notHome)), [false, true, true]);
  assert.deepEqual([standard, door].map((i) => appliesToOutcome(visit, i, { visit_outcome: { value: 'visited' } })),
    [true, false]);
  assert.deepEqual([standard, door].map((i) => appliesToOutcome(visit, i, {})), [true, true]);
  assert.equal(appliesToOutcome(definition([]), standard, notHome), true);  // no outcome declared
});

test('isFailed: by item type', () => {
  assert.equal(isFailed({ type: 'pass_fail' }, { value: 'fail' }), true);
  assert.equal(isFailed({ type: 'pass_fail' }, { value: 'na' }), false);
  assert.equal(isFailed({ type: 'yes_no' }, { value: 'no' }), false, 'no fail_on: never a failure');
  assert.equal(isFailed({ type: 'number', fail_below: 5 }, { value: 4.9 }), true);
  assert.equal(isFailed({ type: 'number', fail_below: 5 }, { value: 5 }), false);
  assert.equal(isFailed({ type: 'register_rows', row_fail_values: ['missing'] },
    { rows: { 1: { value: 'present' }, 2: { value: 'missing' } } }), true);
  assert.equal(isFailed({ type: 'pass_fail' }, undefined), false);
});

test('validate: values checked at their item, with the numbers the message shows', () => {
  const problems = validate(definition([
    { id: 'n', type: 'number', required: true, min: 0, max: 10, integer: true },
    { id: 't', type: 'text', required: true, max_length: 3 },
    { id: 'long', type: 'text', required: true, max_length: 2000 },
    { id: 'm', type: 'multi_choice', required: true, min_selected: 2, options: [] },
    { id: 's', type: 'signature', required: true },
  ]), {
    n: { value: 11.5 }, t: { value: 'abcd' }, long: { value: 'x'.repeat(2001) }, m: { value: ['a'] },
    s: { signature: { sha256: 'a'.repeat(64), signer_name: '' } },
  });
  assert.deepEqual(problems, {
    n: [['err_integer', undefined], ['err_max', { n: 10 }]],
    t: [['err_length', { n: 3 }]],
    long: [['err_length', { n: 2000 }]],
    m: [['err_min_selected', { n: 2 }]],
    s: [['err_signer_name', undefined]],
  });
});

test('latestChecklists and findChecklist: the exact version, else the newest', () => {
  const all = [{ code: 'a', version: 1 }, { code: 'a', version: 3 }, { code: 'a', version: 2 }, { code: 'b', version: 1 }];
  assert.deepEqual(latestChecklists(all), [{ code: 'a', version: 3 }, { code: 'b', version: 1 }]);
  assert.deepEqual(findChecklist(all, 'a', 2), { code: 'a', version: 2 });
  assert.deepEqual(findChecklist(all, 'a', 9), { code: 'a', version: 3 });
  assert.equal(findChecklist(all, 'c', 1), undefined);
});

test('needsRegister: only checklists with a register_rows item', () => {
  assert.equal(needsRegister({ definition: definition([{ id: 'r', type: 'register_rows' }]) }), true);
  assert.equal(needsRegister({ definition: definition([{ id: 'p', type: 'pass_fail' }]) }), false);
});

test('a signer marked not available with no reason yet is told to write one, at the item', () => {
  const definition = { sections: [{ id: 's', items: [
    { id: 'owner_signature', type: 'signature', signer: 'owner', required: true }] }] };
  assert.deepEqual(validate(definition, { owner_signature: { signer_unavailable: '' } }),
    { owner_signature: [['err_unavailable_reason', { n: 200 }]] });
});
