// The checklist rules the phone and the server both apply, checked on the phone side against the
// case table the server's tests read too (tests/cases/checklist_rules.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { auditedKeys, validate } from '../src/shared/checklist.js';

const table = JSON.parse(readFileSync(new URL('../../tests/cases/checklist_rules.json', import.meta.url), 'utf8'));

// The phone's message keys, by the name the table gives the same problem.
const TABLE_NAME = {
  err_required: 'required', err_rows: 'required', photos_min: 'too_few_photos', photos_max: 'too_many_photos',
  photo_needed_fail: 'photo_required_when_failed', err_unavailable_reason: 'signer_unavailable_reason',
  err_unavailable_inspector: 'signer_unavailable_not_allowed', err_signature_or_unavailable: 'signature_or_unavailable',
};

for (const c of table.cases) {
  test(c.name, () => {
    const definition = { sections: [{ id: 'only', items: c.items }] };
    const problems = validate(definition, c.answers, auditedKeys(c.register || []));
    const found = Object.fromEntries(Object.entries(problems)
      .map(([item, list]) => [item, list.map(([key]) => TABLE_NAME[key] || key).sort()]));
    const expected = Object.fromEntries(Object.entries(c.expect).map(([item, list]) => [item, [...list].sort()]));
    assert.deepEqual(found, expected);
  });
}
