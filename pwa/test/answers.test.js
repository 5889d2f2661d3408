import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachmentHashes, cleanAnswers, withAnswer, withRow, withoutSignatures } from '../src/shared/answers.js';

const h = (n) => String(n).repeat(64).slice(0, 64);

test('cleanAnswers drops empty values and answers left with nothing', () => {
  assert.deepEqual(cleanAnswers({
    a: { value: 'pass', comment: '', photos: [] },
    b: { value: '' },
    c: null,
    d: { rows: {} },
    e: { value: 0 },
    f: { value: false },
  }), { a: { value: 'pass' }, e: { value: 0 }, f: { value: false } });
});

test('withAnswer replaces one answer and keeps the others', () => {
  const answers = { a: { value: 'pass' }, b: { value: 'fail', comment: 'x' } };
  assert.deepEqual(withAnswer(answers, 'b', { value: 'pass', comment: '' }), { a: { value: 'pass' }, b: { value: 'pass' } });
  assert.deepEqual(withAnswer(answers, 'a', {}), { b: { value: 'fail', comment: 'x' } });
  assert.deepEqual(answers.b, { value: 'fail', comment: 'x' }, 'the input is not changed');
});

test('withRow changes one register row and keeps only what the row fills in', () => {
  const answer = { rows: { 1: { value: 'present' }, 2: { value: 'missing', comment: 'gone' } } };
  const next = withRow(answer, '2', (row) => ({ ...row, comment: '', photos: [] }));
  assert.deepEqual(next, { rows: { 1: { value: 'present' }, 2: { value: 'missing' } } });
  assert.deepEqual(withRow(undefined, '7', (row) => ({ ...row, value: 'present' })), { rows: { 7: { value: 'present' } } });
});

test('attachmentHashes: photos, signatures and row photos, each once, sorted', () => {
  const answers = {
    a: { photos: [{ sha256: h(3) }, { sha256: h(1) }] },
    b: { signature: { sha256: h(2) } },
    c: { rows: { 1: { photos: [{ sha256: h(1) }] }, 2: { value: 'present' }, 3: null } },
    d: null,
  };
  assert.deepEqual(attachmentHashes(answers), [h(1), h(2), h(3)]);
  assert.deepEqual(attachmentHashes(undefined), []);
});

test('withoutSignatures removes signed answers only', () => {
  assert.deepEqual(withoutSignatures({ a: { value: 'pass' }, s: { signature: { sha256: h(1) } } }), { a: { value: 'pass' } });
});

test('a signer marked not available keeps the mark while the reason is still empty', () => {
  assert.deepEqual(cleanAnswers({ owner_signature: { signer_unavailable: '' }, other: { comment: '' } }),
    { owner_signature: { signer_unavailable: '' } });
});

test('a returned record loses its signatures but keeps the reason a signer was not there', () => {
  const answers = {
    owner_signature: { signer_unavailable: '业主出差' },
    inspector_signature: { signature: { sha256: h(1), signer_name: '李巡查', signed_at: '2026-11-23T09:10:00+08:00' } },
  };
  assert.deepEqual(withoutSignatures(answers), { owner_signature: { signer_unavailable: '业主出差' } });
});
