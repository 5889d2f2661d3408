// The seal the phone computes must be the server's, byte for byte: tests/cases/seal.json holds
// records with the hash the server computes (tests/test_shared_cases.py checks that side).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sealHash, sealPayload, sha256Hex } from '../src/shared/seal.js';

const table = JSON.parse(readFileSync(new URL('../../tests/cases/seal.json', import.meta.url), 'utf8'));

for (const c of table.records) {
  test(`seal: ${c.name}`, async () => {
    assert.deepEqual(sealPayload(c.record, c.inspector).attachments, c.attachments);
    assert.equal(await sealHash(c.record, c.inspector), c.seal);
  });
}

test('the payload names the record in lower case and leaves local bookkeeping out', () => {
  const [first] = table.records;
  const payload = sealPayload({ ...first.record, state: 'outbox', updated_at: 'x', device_id: 'd' }, 'patrol1');
  assert.equal(payload.record_id, first.record.id.toLowerCase());
  assert.deepEqual(Object.keys(payload).sort(), ['answers', 'attachments', 'checklist', 'completed_at',
    'inspector', 'property_id', 'record_id', 'started_at', 'subject', 'v']);
});

test('sha256Hex of text and of a Blob', async () => {
  const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  assert.equal(await sha256Hex(''), empty);
  assert.equal(await sha256Hex(new Blob(['abc'])),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
