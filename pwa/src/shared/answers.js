// A record's answers as plain data: {item_id: {value?, comment?, photos?, signature?, rows?}}.
// Pure functions, shared by the form (its copy in memory) and the record repository (the copy
// in IndexedDB), so both apply a change the same way.

const blank = (value) => value === undefined || value === null || value === ''
  || (Array.isArray(value) && value.length === 0);

/** Drop empty answers: unanswered optional items are left out of the record. */
export function cleanAnswers(answers) {
  const out = {};
  for (const [id, answer] of Object.entries(answers)) {
    if (!answer) continue;
    const copy = {};
    for (const [key, value] of Object.entries(answer)) {
      // A signer marked not available keeps the mark while the reason is still being written.
      if (blank(value) && !(key === 'signer_unavailable' && value === '')) continue;
      if (key === 'rows' && !Object.keys(value).length) continue;
      copy[key] = value;
    }
    if (Object.keys(copy).length) out[id] = copy;
  }
  return out;
}

/** One answer replaced, the rest kept; empty answers dropped. */
export const withAnswer = (answers, itemId, answer) => cleanAnswers({ ...answers, [itemId]: answer });

/** A register_rows answer with one row changed; the row keeps only the keys it fills. */
export function withRow(answer, rowId, change) {
  const rows = { ...((answer && answer.rows) || {}) };
  const row = change({ ...(rows[rowId] || {}) });
  for (const key of Object.keys(row)) if (row[key] === '' || (Array.isArray(row[key]) && !row[key].length)) delete row[key];
  rows[rowId] = row;
  return { ...answer, rows };
}

/** Every SHA-256 the answers refer to (photos, signatures, register-row photos), sorted. */
export function attachmentHashes(answers) {
  const hashes = new Set();
  const photos = (list) => (list || []).forEach((p) => p && p.sha256 && hashes.add(p.sha256));
  for (const answer of Object.values(answers || {})) {
    if (!answer) continue;
    photos(answer.photos);
    if (answer.signature && answer.signature.sha256) hashes.add(answer.signature.sha256);
    for (const row of Object.values(answer.rows || {})) photos(row && row.photos);
  }
  return [...hashes].sort();
}

/** Answers without signatures: whoever signed did not sign a changed record. */
export const withoutSignatures = (answers) => Object.fromEntries(
  Object.entries(answers || {}).filter(([, a]) => !(a && a.signature)));
