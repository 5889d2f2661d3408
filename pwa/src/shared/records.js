// The record repository: the only code that changes a record kept on the phone, and the keeper
// of the image bytes (blobs) records and queued follow-up steps refer to.
//
//   createDraft / draftFromReturned → DRAFT      updateAnswer (answers change only in DRAFT)
//   DRAFT    --seal-->        OUTBOX             sealed: read-only, waits for the server
//   OUTBOX   --markSent-->    (deleted)          only after the server's success answer
//   OUTBOX   --markRefused--> REJECTED           kept, with the server's reason
//   REJECTED --requeue-->     OUTBOX             sent again as it is
//   REJECTED --reopen-->      DRAFT              editable again; its signatures are removed
//   DRAFT    --discard-->     (deleted)           also REJECTED, after the user confirmed
//
// A blob is deleted only when no record and no queued follow-up step refers to it any more;
// that check runs in the same transaction as the change that let go of it.
import { STORE, db } from './db.js';
import { RecordState, inOutbox } from './record-state.js';
import { attachmentHashes, withAnswer, withoutSignatures } from './answers.js';
import { sealHash } from './seal.js';
import { isoNow } from './time.js';

export { RecordState, inOutbox };

/** A change the record's state does not allow (e.g. an answer to a sealed record). */
export class RecordStateError extends Error {
  constructor(id, state, action) {
    super(`record ${id} is ${state || 'not on this phone'}: cannot ${action}`);
    this.name = 'RecordStateError';
  }
}

/** The phone's storage quota is used up: the change was not saved. */
export class StorageFullError extends Error {
  constructor(cause) {
    super(String((cause && cause.message) || cause));
    this.name = 'StorageFullError';
  }
}

const isQuotaError = (error) => !!error
  && (error.name === 'QuotaExceededError' || /quota/i.test(String(error.message)));
const storageError = (error) => (isQuotaError(error) ? new StorageFullError(error) : error);

/** Run `work` in one readwrite transaction: all its writes are saved, or none. */
async function write(stores, work) {
  let tx = null;
  try {
    tx = (await db()).transaction(stores, 'readwrite');
    const result = await work(tx);
    await tx.done;
    return result;
  } catch (error) {
    if (tx) {
      tx.done.catch(() => {});  // the cause is rethrown below
      try { tx.abort(); } catch (finished) { /* already over */ }
    }
    throw storageError(error);
  }
}

/** The hashes a queued follow-up step refers to (its photos). */
export const eventHashes = (event) => (event.photos || []).map((p) => p.sha256);

/**
 * Inside a transaction over records, follow-up events and blobs: delete those of `hashes` that
 * no record and no queued follow-up step refers to any more.
 */
export async function dropUnreferenced(tx, hashes) {
  if (!hashes.length) return;
  const records = await tx.objectStore(STORE.records).getAll();
  const events = await tx.objectStore(STORE.followUpEvents).getAll();
  const used = new Set([...records.flatMap((r) => attachmentHashes(r.answers)), ...events.flatMap(eventHashes)]);
  for (const hash of hashes) if (!used.has(hash)) await tx.objectStore(STORE.blobs).delete(hash);
}

const WITH_BLOBS = [STORE.records, STORE.blobs, STORE.followUpEvents];

// --- reading ---------------------------------------------------------------------------------

export async function getRecord(id) { return (await db()).get(STORE.records, id); }
export async function allRecords() { return (await db()).getAll(STORE.records); }

/** The draft already started for this checklist and subject, if any. */
export async function findDraft(checklistCode, subject) {
  return (await allRecords()).find((r) => r.state === RecordState.DRAFT && r.checklist.code === checklistCode
    && r.subject.type === subject.type && r.subject.id === subject.id);
}

/**
 * Sealed records to send, oldest first. Only `username`'s: the seal names the inspector, so
 * another user's work waits on the phone until its author logs in again.
 */
export async function outboxOf(username) {
  return (await allRecords())
    .filter((r) => r.state === RecordState.OUTBOX && (!username || !r.inspector || r.inspector === username))
    .sort((a, b) => String(a.completed_at).localeCompare(String(b.completed_at)));
}

/** For the status bar: records and follow-up steps not yet on the server, and their unsent images. */
export async function pendingCounts() {
  const tx = (await db()).transaction([STORE.records, STORE.followUpEvents, STORE.blobs]);
  const records = (await tx.objectStore(STORE.records).getAll()).filter(inOutbox);
  const events = await tx.objectStore(STORE.followUpEvents).getAll();
  const hashes = new Set([...records.flatMap((r) => attachmentHashes(r.answers)), ...events.flatMap(eventHashes)]);
  let pendingPhotos = 0;
  let bytesTotal = 0;
  for (const hash of hashes) {
    const blob = await tx.objectStore(STORE.blobs).get(hash);
    if (blob && !blob.stored) { pendingPhotos += 1; bytesTotal += blob.size; }
  }
  await tx.done;
  return { pendingRecords: records.length, pendingPhotos, pendingEvents: events.length, bytesTotal };
}

// --- the lifecycle ---------------------------------------------------------------------------

/**
 * A new draft. Returns at once with the record and the promise of its write, so the form can
 * open without waiting for the database (IndexedDB applies later writes of the same record
 * after this one).
 */
export function createDraft({ checklist, propertyId, subject, subjectLabel, inspector, deviceId }) {
  const record = {
    id: crypto.randomUUID(),
    state: RecordState.DRAFT,
    property_id: propertyId,
    checklist: { code: checklist.code, version: checklist.version },
    checklist_id: checklist.id,
    title: { 'zh-CN': checklist.title_zh, en: checklist.title_en },
    subject: { type: subject.type, id: subject.id },
    subject_label: subjectLabel || '',
    answers: {},
    started_at: isoNow(),
    inspector,
    device_id: deviceId,
    updated_at: isoNow(),
  };
  const saved = db().then((database) => database.put(STORE.records, record)).catch((error) => {
    throw storageError(error);
  });
  return { record, saved };
}

/**
 * A record a supervisor returned becomes a local draft to fix (unless one is already here).
 * Signatures are removed: whoever signed must sign the changed record again.
 */
export async function draftFromReturned(returned, { title, subjectLabel, review, inspector, deviceId }) {
  return write([STORE.records], async (tx) => {
    const local = await tx.store.get(returned.id);
    if (local) return local;
    const record = {
      id: returned.id, state: RecordState.DRAFT, revision: returned.revision,
      // Only what the record is: the pull's copy also names things for people (subject.label).
      property_id: returned.property_id, checklist: { code: returned.checklist.code, version: returned.checklist.version },
      subject: { type: returned.subject.type, id: returned.subject.id },
      subject_label: subjectLabel || returned.subject.label || '',
      title, answers: withoutSignatures(returned.answers), started_at: returned.started_at || isoNow(),
      // Who had signed: the form says their signatures were removed and why.
      cleared_signers: Object.values(returned.answers || {})
        .filter((a) => a && a.signature).map((a) => a.signature.signer_name).filter(Boolean),
      review, inspector, device_id: deviceId, updated_at: isoNow(),
    };
    await tx.store.put(record);
    return record;
  });
}

/**
 * Replace one answer of a draft (refused unless the record is a draft). Images the answer now
 * uses are stored (`addBlobs`) and images it stopped using are deleted when nothing else uses
 * them (`dropBlobs`), all in the one transaction: either everything is saved or nothing is.
 */
export async function updateAnswer(id, itemId, answer, { addBlobs = [], dropBlobs = [] } = {}) {
  const blobs = addBlobs.length || dropBlobs.length;
  return write(blobs ? WITH_BLOBS : [STORE.records], async (tx) => {
    const records = tx.objectStore(STORE.records);
    const record = await records.get(id);
    if (!record || record.state !== RecordState.DRAFT) throw new RecordStateError(id, record && record.state, 'change an answer');
    for (const entry of addBlobs) {
      await tx.objectStore(STORE.blobs).put({ ...entry, stored: false, created_at: isoNow() });
    }
    const next = { ...record, answers: withAnswer(record.answers, itemId, answer), updated_at: isoNow() };
    await records.put(next);
    // Added images the record did not keep (a photo beyond the item's limit) go at once too;
    // the usual photo add keeps all of them and reads no other record.
    const kept = new Set(attachmentHashes(next.answers));
    await dropUnreferenced(tx, [...dropBlobs, ...addBlobs.map((entry) => entry.sha256).filter((h) => !kept.has(h))]);
    return next;
  });
}

/** Seal a draft: the seal hash fixes its content; from here on it is read-only. */
export async function seal(record, inspector) {
  const draft = { ...record, completed_at: isoNow() };
  const hash = await sealHash(draft, draft.inspector || inspector);
  const sealed = { ...draft, state: RecordState.OUTBOX, seal: { hash }, sealed_at: isoNow() };
  return write([STORE.records], async (tx) => {
    const stored = await tx.store.get(record.id);
    if (stored && stored.state !== RecordState.DRAFT) throw new RecordStateError(record.id, stored.state, 'seal');
    await tx.store.put(sealed);
    return sealed;
  });
}

/** The server refused the record: keep it, with the reason and what the user can do. */
export async function markRefused(id, reason) {
  return write([STORE.records], async (tx) => {
    const record = await tx.store.get(id);
    if (record && record.state === RecordState.OUTBOX) {
      await tx.store.put({ ...record, state: RecordState.REJECTED, error: reason });
    }
  });
}

/** Put a refused record back in the outbox, unchanged. */
export async function requeue(id) {
  return write([STORE.records], async (tx) => {
    const record = await tx.store.get(id);
    if (record && record.state === RecordState.REJECTED) {
      await tx.store.put({ ...record, state: RecordState.OUTBOX, error: null });
    }
  });
}

/** A refused record becomes a draft again; its signatures are removed, so it must be signed again. */
export async function reopen(id) {
  return write(WITH_BLOBS, async (tx) => {
    const records = tx.objectStore(STORE.records);
    const record = await records.get(id);
    if (!record || record.state !== RecordState.REJECTED) throw new RecordStateError(id, record && record.state, 'reopen');
    const answers = withoutSignatures(record.answers);
    const before = attachmentHashes(record.answers);
    await records.put({ ...record, state: RecordState.DRAFT, seal: null, completed_at: null, error: null, answers });
    const kept = new Set(attachmentHashes(answers));
    await dropUnreferenced(tx, before.filter((hash) => !kept.has(hash)));
  });
}

/**
 * Throw away a draft or a record the server refused, with the images only it used. A record
 * waiting in the outbox cannot be: it may already be on its way to the server.
 */
export async function discard(id) {
  return write(WITH_BLOBS, async (tx) => {
    const records = tx.objectStore(STORE.records);
    const record = await records.get(id);
    if (!record || (record.state !== RecordState.DRAFT && record.state !== RecordState.REJECTED)) {
      throw new RecordStateError(id, record && record.state, 'discard');
    }
    await records.delete(id);
    await dropUnreferenced(tx, attachmentHashes(record.answers));
  });
}

/** The server stored the record: only now does the phone let go of its copy and its images. */
export async function markSent(id) {
  return write([...WITH_BLOBS, STORE.returned, STORE.kv], async (tx) => {
    const record = await tx.objectStore(STORE.records).get(id);
    if (!record) return;
    await tx.objectStore(STORE.records).delete(id);
    await tx.objectStore(STORE.returned).delete(id);
    await dropUnreferenced(tx, attachmentHashes(record.answers));
    const sent = (await tx.objectStore(STORE.kv).get('sentCount')) || 0;
    await tx.objectStore(STORE.kv).put(sent + 1, 'sentCount');
    // What the due list needs of it until the next pull counts it on the server's side.
    const recent = (await tx.objectStore(STORE.kv).get(RECENTLY_SENT)) || [];
    await tx.objectStore(STORE.kv).put([...recent, {
      id: record.id, property_id: record.property_id, checklist: { code: record.checklist.code },
      subject: record.subject, completed_at: record.completed_at, sent_at: Date.now(),
    }], RECENTLY_SENT);
  });
}

/** Key (in the kv store) of the records sent since the due list was last pulled. */
export const RECENTLY_SENT = 'recentlySent';

// --- images ----------------------------------------------------------------------------------

/**
 * Delete images no record and no queued follow-up step refers to (left by a crash between two
 * writes, or by an older version of the app). Images saved in the last hour are left alone: a
 * screen may be about to attach them.
 */
export async function sweepUnreferencedBlobs(now = Date.now()) {
  return write(WITH_BLOBS, async (tx) => {
    // Keys first: loading every blob would read a shift's photo bytes at each start-up; only
    // the few nothing refers to are opened, for their age.
    const records = await tx.objectStore(STORE.records).getAll();
    const events = await tx.objectStore(STORE.followUpEvents).getAll();
    const used = new Set([...records.flatMap((r) => attachmentHashes(r.answers)), ...events.flatMap(eventHashes)]);
    let removed = 0;
    for (const hash of await tx.objectStore(STORE.blobs).getAllKeys()) {
      if (used.has(hash)) continue;
      const blob = await tx.objectStore(STORE.blobs).get(hash);
      if (!blob.created_at || now - Date.parse(blob.created_at) > 3600 * 1000) {
        await tx.objectStore(STORE.blobs).delete(hash);
        removed += 1;
      }
    }
    return removed;
  });
}

/** Store image bytes under their SHA-256, as not yet sent. */
export async function saveBlob(entry) {
  return write([STORE.blobs], (tx) => tx.store.put({ ...entry, stored: false, created_at: isoNow() }));
}

export async function getBlob(sha256) { return (await db()).get(STORE.blobs, sha256); }

/** Its first bytes are about to go: from now on, ask the server where to continue. */
export async function markBlobUploadStarted(blob) {
  return write([STORE.blobs], async (tx) => {
    const stored = await tx.store.get(blob.sha256);
    if (stored) await tx.store.put({ ...stored, upload_started: true });
  });
}

/** The server holds the whole blob: never send it again. */
export async function markBlobStored(blob) {
  return write([STORE.blobs], (tx) => tx.store.put({ ...blob, stored: true }));
}

/** The server lost these blobs (or never finished them): send them again. */
export async function markBlobsUnsent(hashes) {
  return write([STORE.blobs], async (tx) => {
    for (const hash of hashes) {
      const blob = await tx.store.get(hash);
      if (blob) await tx.store.put({ ...blob, stored: false });
    }
  });
}

/** Bytes still to upload for these hashes (a hash listed twice counts twice). */
export async function unsentBytes(hashes) {
  const tx = (await db()).transaction(STORE.blobs);
  let total = 0;
  for (const hash of hashes) {
    const blob = await tx.store.get(hash);
    if (blob && !blob.stored) total += blob.size;
  }
  await tx.done;
  return total;
}
