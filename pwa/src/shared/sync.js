// The outbox and the pull (docs/sync-protocol.md). What it promises, so that no inspection is
// ever lost or stored twice however bad the link:
// - records one at a time, each after its photos; photos a few at a time (those of the next
//   records go up while a record is sent), each resumable from what the server holds;
// - the local copy is deleted only after the server's success answer;
// - refused records stay on the phone with the server's reason and what to do;
// - connectivity is decided by a real request; retries back off 1 s doubling to 5 min, and
//   also run on start-up, on the `online` event and on demand.
import { ApiError, NetworkError, api, serverReachable } from './api.js';
import { attachmentHashes } from './answers.js';
import { kvGet, kvSet } from './db.js';
import * as queue from './followup-queue.js';
import { t } from './i18n.js';
import * as pulled from './pulled.js';
import * as records from './records.js';
import { backoffDelay, isTransient, refusalAction } from './retry.js';
import { uploadPool } from './upload-pool.js';
import { loadSession, saveDueSnapshot, saveSession } from './session.js';
import { isoNow } from './time.js';

// Upload parts. The server keeps what arrived of a part cut in transit, but a browser resends a
// request cut on a kept-alive connection by itself, whole, before the app hears of the cut (and
// usually before the server has stored what arrived): what a cut costs is then the part's bytes
// sent so far, half a part on average. 64 KiB keeps that small on any link; the round trip each
// part costs is hidden by the other uploads in flight. Overridable for tests.
const chunkSize = () => Number(localStorage.getItem('xuncha.chunk')) || 64 * 1024;
// Images in flight at once: enough to keep a mobile uplink busy through each request's round
// trip and the server's decoding, few enough to stay within the server's per-person limit on
// unfinished uploads (docs/sync-protocol.md §4).
const UPLOADS_AT_ONCE = 3;

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
let again = null;
let session = null;

export function setSession(value) {
  session = value;
  if (value) emit({ authExpired: false });
}

/** Counts for the status bar: records not yet on the server and their unsent images. */
export async function refreshCounts() {
  const { bytesTotal, ...counts } = await records.pendingCounts();
  const lastSync = await kvGet('lastSync');
  emit({ ...counts, lastSync: lastSync || null, ...(status.running ? {} : { bytesTotal, bytesSent: 0 }) });
}

function scheduleRetry() {
  attempts += 1;
  const delay = backoffDelay(attempts);
  clearTimeout(timer);
  timer = setTimeout(() => syncNow({ reason: 'backoff' }), delay);
  emit({ nextRetryAt: Date.now() + delay });
}

/**
 * Run one sync: check the server is really there, push the outbox, then pull. Single flight:
 * one run at a time. A call while one runs (a record just sealed, a photo just taken, "sync
 * now") gets one more run right after it, since the running one may already have read the
 * outbox or pulled: nothing waits for the next trigger while the server is reachable. Calls
 * during a run share that one follow-up run. `manual` resets the backoff.
 */
export function syncNow({ manual = false } = {}) {
  if (manual) attempts = 0;
  if (current) {
    if (!again) {
      const next = () => {
        again = null;
        return syncNow();
      };
      again = current.then(next, next);
    }
    return again;
  }
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
    await kvSet('lastSync', now);
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

async function pushOutbox() {
  const username = session ? session.user.username : null;
  const outbox = await records.outboxOf(username);
  // Bytes for the progress bar: every unsent image of every record and follow-up step in this run.
  const events = await queue.allEvents();
  const total = await records.unsentBytes([...outbox.flatMap((r) => attachmentHashes(r.answers)),
    ...events.flatMap(records.eventHashes)]);
  emit({ bytesTotal: total, bytesSent: 0 });
  const uploads = uploadPool(UPLOADS_AT_ONCE, uploadImage);
  try {
    // Every image of the outbox is asked for now, in the outbox's order: while a record waits
    // for its answer, the next records' photos are already on their way.
    for (const record of outbox) for (const hash of attachmentHashes(record.answers)) uploads.want(hash);
    for (const record of outbox) {
      try {
        await pushRecord(record, uploads);
      } catch (error) {
        if (isTransient(error)) throw error;
        await refuse(record, error);
      }
      await refreshCounts();
    }
    await pushFollowUpEvents(username, uploads);
  } finally {
    await uploads.stop(new NetworkError('sync run ended'));
  }
}

/** Wait for these images to be on the server (uploads started through the run's pool). */
async function uploadAll(hashes, uploads) {
  await Promise.all(hashes.map((hash) => uploads.want(hash)));
}

/**
 * Upload one image (resumable). An image not on the phone is fine when the server holds it
 * already (a returned record keeps the photos taken before); otherwise that is the phone's own
 * refusal.
 */
async function uploadImage(hash, signal) {
  const blob = await records.getBlob(hash);
  if (!blob) {
    if (await storedOnServer(hash)) return;
    throw new ApiError(422, { error: { code: 'local.blob_missing', message: t('blob_missing') } });
  }
  if (!blob.stored) await uploadBlob(blob, signal);
}

async function storedOnServer(hash) {
  try {
    return !!(await api(`/api/blobs/${hash}/status`)).stored;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}

/**
 * Follow-up steps queued on the phone, oldest first: photos first (resumable, like a record's),
 * then the step itself under the id the phone made, so a resend after a lost answer is harmless.
 * The local copy goes only after the server's success answer.
 */
async function pushFollowUpEvents(username, uploads) {
  for (const event of await queue.eventsToSend(username)) {
    try {
      await uploadAll(records.eventHashes(event), uploads);
      const followUp = event.action === WORK_ORDER ? await sendWorkOrder(event)
        : await api(`/api/followups/${event.follow_up_id}/events`, {
          method: 'POST',
          json: { id: event.id, action: event.action, note: event.note || null, photos: event.photos || [],
            at: event.at, ...(event.details || {}) },
        });
      await queue.markEventSent(event, followUp);
    } catch (error) {
      if (isTransient(error)) throw error;
      await queue.markEventRefused(event, { status: error.status, code: error.code, message: error.message });
    }
    await refreshCounts();
  }
}

// Work orders (投诉 / 报修) entered on the phone ride the follow-up queue: the same outbox, photos
// first, then the order under the id the phone made (the server takes a resend once).
export const WORK_ORDER = 'work_order';

function sendWorkOrder(event) {
  return api(`/api/followups/work-orders/${event.follow_up_id}`, {
    method: 'PUT', json: { ...event.order, photos: event.photos || [], reported_at: event.at },
  });
}

/** Queue one follow-up step (made offline or online) and try to send it at once. */
export async function queueFollowUpEvent(event) {
  await queue.queueEvent(event);
  await refreshCounts();
  syncNow({ manual: true });
}

/** Put a refused follow-up step back in the queue, or drop it. */
export async function retryFollowUpEvent(id, { discard = false } = {}) {
  if (discard) await queue.discardEvent(id);
  else await queue.requeueEvent(id);
  await refreshCounts();
  return syncNow({ manual: true });
}

async function pushRecord(record, uploads) {
  await uploadAll(attachmentHashes(record.answers), uploads);
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
    await records.markBlobsUnsent(missing);
    throw new NetworkError('attachments missing on the server');
  }
  await records.markSent(record.id);
}

/**
 * Resumable, content-addressed upload: send the rest in parts from what the server holds. An
 * image never sent before starts at byte 0 without asking (a round trip saved per image); one
 * sent before (cut, or the app closed meanwhile) asks the server first where to continue.
 */
async function uploadBlob(blob, signal) {
  const path = `/api/blobs/${blob.sha256}`;
  let state = { stored: false, received: 0 };
  if (blob.upload_started) {
    try {
      state = await api(`${path}/status`, { signal });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  } else {
    await records.markBlobUploadStarted(blob);
  }
  let offset = state.stored ? blob.size : (state.received || 0);
  let counted = 0;
  const progress = () => {  // several uploads move the one progress bar
    emit({ bytesSent: status.bytesSent + offset - counted });
    counted = offset;
  };
  progress();
  while (!state.stored) {
    const end = Math.min(offset + chunkSize(), blob.size);
    try {
      state = await api(`${path}?kind=${blob.kind}`, {
        method: 'PUT',
        body: blob.blob.slice(offset, end),
        headers: { 'Content-Type': blob.type, 'Content-Range': `bytes ${offset}-${end - 1}/${blob.size}` },
        signal,
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'upload.offset_mismatch') {
        offset = Number(error.details.received) || 0;
        progress();
        continue;
      }
      throw error;
    }
    offset = state.stored ? blob.size : state.received;
    progress();
  }
  await records.markBlobStored(blob);
}

/** The server refused the record: keep it, with the reason and what the user can do. */
async function refuse(record, error) {
  await records.markRefused(record.id, {
    status: error.status, code: error.code, message: error.message, details: error.details,
    action: refusalAction(error.code), at: new Date().toISOString(),
  });
}

/** Put a refused record back in the outbox (after the user fixed what was wrong). */
export async function retryRecord(id) {
  await records.requeue(id);
  await refreshCounts();
  return syncNow({ manual: true });
}

/** Pull what changed since the last cursor (a full pull the first time). */
export async function pull() {
  const cursor = await pulled.getCursor();
  const askedAt = Date.now();
  let data;
  try {
    data = await api(`/api/sync/pull${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'sync.bad_cursor' && cursor) {
      await pulled.clearCursor();  // start again with a full pull
      return pull();
    }
    if (error instanceof ApiError && error.status === 404 && error.code !== 'access.property_denied') {
      emit({ pullAvailable: false });
      return;
    }
    throw error;
  }
  emit({ pullAvailable: true });
  await pulled.applyPull(data, { askedAt });
  if (Array.isArray(data.due)) saveDueSnapshot(data.due);
  if (data.me) {
    const saved = loadSession();
    if (saved) saveSession({ ...saved, user: { ...saved.user, ...data.me } });
  }
  if (listeners.size) emit({ pulledAt: Date.now() });
}

/** Retry on start-up and whenever the browser thinks the link came back (then verify it). */
let triggersStarted = false;
export function startSyncTriggers() {
  if (!triggersStarted) {
    triggersStarted = true;
    window.addEventListener('online', () => syncNow({ manual: true }));
    // Losing the link is shown at once; only a real request may say it is back (captive portals
    // and dead Wi-Fi also claim to be online).
    window.addEventListener('offline', () => emit({ online: false }));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && !status.running) syncNow();
    });
  }
  return syncNow({ manual: true });
}
