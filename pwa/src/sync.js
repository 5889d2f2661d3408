// The outbox and the pull (docs/sync-protocol.md). Promises kept here (DESIGN.md invariants):
// - one record at a time, its photos first, each photo resumable from what the server holds;
// - the local copy is deleted only after the server's success answer;
// - refused records stay on the phone with the server's reason and what to do;
// - connectivity is decided by a real request; retries back off 1 s doubling to 5 min, and
//   also run on start-up, on the `online` event and on demand.
import { ApiError, NetworkError, api, serverReachable } from './api.js';
import * as store from './db.js';
import { isoNow } from './photos.js';
import { loadSession, saveDueSnapshot, saveSession } from './session.js';

const MAX_BACKOFF_MS = 5 * 60 * 1000;
// Upload parts small enough that a cut on a slow link loses little. Overridable for tests.
const chunkSize = () => Number(localStorage.getItem('xuncha.chunk')) || 256 * 1024;

const listeners = new Set();
export const status = {
  online: null,            // null: not checked yet; true/false: the last real request said so
  running: false,
  pendingRecords: 0,
  pendingPhotos: 0,
  pendingEvents: 0,        // follow-up steps (e.g. "fixed" with photos) not yet on the server
  bytesSent: 0,
  bytesTotal: 0,
  lastSync: null,
  nextRetryAt: null,
  authExpired: false,
  lastError: null,
  pullAvailable: true,
};

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function emit(changes) {
  Object.assign(status, changes);
  for (const listener of listeners) listener({ ...status });
}

let attempts = 0;
let timer = null;
let current = null;
let session = null;

export function setSession(value) {
  session = value;
  if (value) emit({ authExpired: false });
}

const outboxStates = new Set(['outbox', 'rejected']);

/** Counts for the status bar: records not yet on the server and their unsent images. */
export async function refreshCounts() {
  const records = (await store.getAll('records')).filter((r) => outboxStates.has(r.state));
  const events = await store.getAll('followup_events');
  const hashes = new Set([...records.flatMap((r) => store.attachmentHashes(r.answers)),
    ...events.flatMap(eventHashes)]);
  let pendingPhotos = 0;
  let bytesTotal = 0;
  for (const hash of hashes) {
    const blob = await store.get('blobs', hash);
    if (blob && !blob.stored) { pendingPhotos += 1; bytesTotal += blob.size; }
  }
  const lastSync = await store.kvGet('lastSync');
  emit({ pendingRecords: records.length, pendingPhotos, pendingEvents: events.length, lastSync: lastSync || null,
    ...(status.running ? {} : { bytesTotal, bytesSent: 0 }) });
}

function scheduleRetry() {
  attempts += 1;
  const delay = Math.min(1000 * 2 ** (attempts - 1), MAX_BACKOFF_MS);
  clearTimeout(timer);
  timer = setTimeout(() => syncNow({ reason: 'backoff' }), delay);
  emit({ nextRetryAt: Date.now() + delay });
}

/**
 * Run one sync: check the server is really there, push the outbox, then pull. Single flight:
 * a call while one runs returns the running one. `manual` resets the backoff.
 */
export function syncNow({ manual = false } = {}) {
  if (manual) attempts = 0;
  if (current) return current;
  clearTimeout(timer);
  current = run().finally(() => { current = null; });
  return current;
}

async function run() {
  if (!session) return;
  emit({ running: true, nextRetryAt: null, lastError: null });
  try {
    const reachable = await serverReachable();
    emit({ online: reachable });
    if (!reachable) { scheduleRetry(); return; }
    await pushOutbox();
    await pull();
    attempts = 0;
    const now = new Date().toISOString();
    await store.kvSet('lastSync', now);
    emit({ lastSync: now });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      emit({ authExpired: true, lastError: error.message });  // wait for a new login
    } else {
      if (error instanceof NetworkError) emit({ online: false });
      emit({ lastError: error.message });
      scheduleRetry();
    }
  } finally {
    emit({ running: false });
    await refreshCounts();
  }
}

const transient = (error) => error instanceof NetworkError
  || (error instanceof ApiError && (error.status >= 500 || error.status === 408 || error.status === 429
    || error.status === 401));

async function pushOutbox() {
  // Only the logged-in inspector's records: the seal names the inspector, so another user's
  // work waits on the phone until its author logs in again.
  const records = (await store.getAll('records'))
    .filter((r) => r.state === 'outbox' && (!session || !r.inspector || r.inspector === session.user.username))
    .sort((a, b) => String(a.completed_at).localeCompare(String(b.completed_at)));
  // Bytes for the progress bar: every unsent image of every record in this run.
  let total = 0;
  for (const record of records) {
    for (const hash of store.attachmentHashes(record.answers)) {
      const blob = await store.get('blobs', hash);
      if (blob && !blob.stored) total += blob.size;
    }
  }
  for (const event of await store.getAll('followup_events')) {
    for (const hash of eventHashes(event)) {
      const blob = await store.get('blobs', hash);
      if (blob && !blob.stored) total += blob.size;
    }
  }
  emit({ bytesTotal: total, bytesSent: 0 });
  for (const record of records) {
    try {
      await pushRecord(record);
    } catch (error) {
      if (transient(error)) throw error;
      await refuse(record, error);
    }
    await refreshCounts();
  }
  await pushFollowUpEvents();
}

const eventHashes = (event) => (event.photos || []).map((p) => p.sha256);

/**
 * Follow-up steps queued on the phone, oldest first: photos first (resumable, like a record's),
 * then the step itself under the id the phone made, so a resend after a lost answer is harmless.
 * The local copy goes only after the server's success answer.
 */
async function pushFollowUpEvents() {
  const events = (await store.getAll('followup_events'))
    .filter((e) => e.state !== 'rejected' && (!session || !e.author || e.author === session.user.username))
    .sort((a, b) => String(a.at).localeCompare(String(b.at)));
  for (const event of events) {
    try {
      for (const hash of eventHashes(event)) {
        const blob = await store.get('blobs', hash);
        if (!blob) throw new ApiError(422, { error: { code: 'local.blob_missing', message: hash } });
        if (!blob.stored) await uploadBlob(blob);
      }
      const followUp = await api(`/api/followups/${event.follow_up_id}/events`, {
        method: 'POST',
        json: { id: event.id, action: event.action, note: event.note || null, photos: event.photos || [],
          at: event.at },
      });
      await store.del('followup_events', event.id);
      if (followUp.status === 'verified') await store.del('follow_ups', followUp.id);
      else await store.put('follow_ups', followUp);
      await store.dropUnreferencedBlobs(eventHashes(event));
    } catch (error) {
      if (transient(error)) throw error;
      await store.put('followup_events', { ...event, state: 'rejected',
        error: { status: error.status, code: error.code, message: error.message } });
    }
    await refreshCounts();
  }
}

/** Queue one follow-up step (made offline or online) and try to send it at once. */
export async function queueFollowUpEvent(event) {
  await store.put('followup_events', { ...event, state: 'outbox' });
  await refreshCounts();
  syncNow({ manual: true });
}

/** Put a refused follow-up step back in the queue, or drop it. */
export async function retryFollowUpEvent(id, { discard = false } = {}) {
  const event = await store.get('followup_events', id);
  if (event && discard) {
    await store.del('followup_events', id);
    await store.dropUnreferencedBlobs(eventHashes(event));
  } else if (event) await store.put('followup_events', { ...event, state: 'outbox', error: null });
  await refreshCounts();
  return syncNow({ manual: true });
}

async function pushRecord(record) {
  for (const hash of store.attachmentHashes(record.answers)) {
    const blob = await store.get('blobs', hash);
    if (!blob) throw new ApiError(422, { error: { code: 'local.blob_missing', message: hash } });
    if (!blob.stored) await uploadBlob(blob);
  }
  const headers = { 'X-Device-Time': isoNow() };
  if (record.revision) headers['If-Match'] = `"${record.revision}"`;
  const stored = await api(`/api/inspections/${record.id}`, {
    method: 'PUT', headers,
    json: {
      property_id: record.property_id,
      checklist: record.checklist,
      subject: record.subject,
      answers: record.answers,
      started_at: record.started_at,
      completed_at: record.completed_at,
      device_id: record.device_id,
      seal: { hash: record.seal.hash },
    },
  });
  const missing = (stored && stored.attachments && stored.attachments.missing) || [];
  if (missing.length) {
    // The server has the record but not every image: keep everything, upload again next run
    // (the resend of the same record is idempotent).
    for (const hash of missing) {
      const blob = await store.get('blobs', hash);
      if (blob) await store.put('blobs', { ...blob, stored: false });
    }
    throw new NetworkError('attachments missing on the server');
  }
  // Success: only now does the phone let go of its copy.
  await store.del('records', record.id);
  await store.del('returned', record.id);
  await store.dropUnreferencedBlobs(store.attachmentHashes(record.answers));
  const sent = (await store.kvGet('sentCount')) || 0;
  await store.kvSet('sentCount', sent + 1);
}

/** Resumable, content-addressed upload: ask what the server holds, send the rest in parts. */
async function uploadBlob(blob) {
  const path = `/api/blobs/${blob.sha256}`;
  let state;
  try {
    state = await api(`${path}/status`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    state = { stored: false, received: 0 };
  }
  let offset = state.stored ? blob.size : (state.received || 0);
  const base = status.bytesSent;
  emit({ bytesSent: base + offset });
  while (!state.stored) {
    const end = Math.min(offset + chunkSize(), blob.size);
    try {
      state = await api(`${path}?kind=${blob.kind}`, {
        method: 'PUT',
        body: blob.blob.slice(offset, end),
        headers: { 'Content-Type': blob.type, 'Content-Range': `bytes ${offset}-${end - 1}/${blob.size}` },
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'upload.offset_mismatch') {
        offset = Number(error.details.received) || 0;
        continue;
      }
      throw error;
    }
    offset = state.stored ? blob.size : state.received;
    emit({ bytesSent: base + offset });
  }
  await store.put('blobs', { ...blob, stored: true });
}

/** The server refused the record: keep it, with the reason and what the user can do. */
async function refuse(record, error) {
  let action = 'action_contact';
  if (error.code === 'record.invalid_answers' || error.code === 'record.seal_mismatch'
      || error.code === 'upload.not_an_image' || error.code === 'upload.hash_mismatch'
      || error.code === 'local.blob_missing' || error.code === 'upload.too_large'
      || error.code === 'upload.too_many_pixels' || error.code === 'record.stale_revision') {
    action = 'action_reopen';
  }
  await store.put('records', {
    ...record, state: 'rejected',
    error: { status: error.status, code: error.code, message: error.message, details: error.details, action,
      at: new Date().toISOString() },
  });
}

/** Put a refused record back in the outbox (after the user fixed what was wrong). */
export async function retryRecord(id) {
  const record = await store.get('records', id);
  if (record) await store.put('records', { ...record, state: 'outbox', error: null });
  await refreshCounts();
  return syncNow({ manual: true });
}

/** Pull what changed since the last cursor (a full pull the first time). */
export async function pull() {
  const cursor = await store.kvGet('cursor');
  let data;
  try {
    data = await api(`/api/sync/pull${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'sync.bad_cursor' && cursor) {
      await store.kvDelete('cursor');  // start again with a full pull
      return pull();
    }
    if (error instanceof ApiError && error.status === 404 && error.code !== 'access.property_denied') {
      emit({ pullAvailable: false });
      return;
    }
    throw error;
  }
  emit({ pullAvailable: true });
  await store.putMany('properties', data.properties);
  await store.putMany('checklists', data.checklists);
  await store.putMany('units', data.units);
  await store.putMany('renovations', data.renovations);
  await store.putMany('keys', data.keys);
  for (const record of data.records || []) {
    if (record.status === 'returned') await store.put('returned', record);
    else await store.del('returned', record.id);
  }
  if (Array.isArray(data.due)) {
    await store.replaceAll('due', data.due);
    saveDueSnapshot(data.due);
  }
  if (Array.isArray(data.follow_ups)) {
    // A full pull lists every open follow-up; a delta only those that changed.
    if (data.full) await store.replaceAll('follow_ups', data.follow_ups.filter((f) => f.status !== 'verified'));
    else {
      await store.putMany('follow_ups', data.follow_ups.filter((f) => f.status !== 'verified'));
      for (const f of data.follow_ups) if (f.status === 'verified') await store.del('follow_ups', f.id);
    }
    await store.kvSet('followUpsAvailable', true);
  }
  if (data.me) {
    const saved = loadSession();
    if (saved) saveSession({ ...saved, user: { ...saved.user, ...data.me } });
  }
  if (data.server_time) {
    await store.kvSet('clockOffsetMs', Date.now() - new Date(data.server_time).getTime());
  }
  await store.kvSet('cursor', data.cursor);
  if (listeners.size) emit({ pulledAt: Date.now() });
}

/** Retry on start-up and whenever the browser thinks the link came back (then verify it). */
let triggersStarted = false;
export function startSyncTriggers() {
  if (!triggersStarted) {
    triggersStarted = true;
    window.addEventListener('online', () => syncNow({ manual: true }));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !status.running) syncNow();
    });
  }
  return syncNow({ manual: true });
}
