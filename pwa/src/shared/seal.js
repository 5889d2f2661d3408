// The seal: SHA-256 over the RFC 8785 canonical JSON of the record, computed the same way by the
// server (server/inspections/seal.py); tests/cases/seal.json holds vectors both must match.
// Pure: runs in Node for the tests.
import canonicalize from 'canonicalize';
import { attachmentHashes } from './answers.js';

export async function sha256Hex(data) {
  const buffer = data instanceof Blob ? await data.arrayBuffer()
    : typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function sealPayload(record, inspectorUsername) {
  return {
    v: 1,
    record_id: record.id.toLowerCase(),
    property_id: record.property_id,
    checklist: { code: record.checklist.code, version: record.checklist.version },
    subject: { type: record.subject.type, id: record.subject.id },
    inspector: inspectorUsername,
    answers: record.answers,
    started_at: record.started_at,
    completed_at: record.completed_at,
    attachments: attachmentHashes(record.answers),
  };
}

export async function sealHash(record, inspectorUsername) {
  return sha256Hex(canonicalize(sealPayload(record, inspectorUsername)));
}
