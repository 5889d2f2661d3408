// The one IndexedDB module (STYLE.md habit 14): versioned upgrades, records keyed by their UUID,
// photo and signature bytes in their own store keyed by SHA-256. No network call is ever awaited
// inside a transaction.
import { openDB } from 'idb';

export const DB_NAME = 'xuncha';
const DB_VERSION = 2;

let dbPromise;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          database.createObjectStore('kv');                                  // session, cursor, settings
          database.createObjectStore('properties', { keyPath: 'id' });
          database.createObjectStore('checklists', { keyPath: 'id' });
          for (const name of ['units', 'renovations', 'keys']) {
            database.createObjectStore(name, { keyPath: 'id' }).createIndex('property_id', 'property_id');
          }
          database.createObjectStore('due', { autoIncrement: true });
          // Local work: drafts, sealed records waiting in the outbox, refused ones. Deleted only
          // after the server's success answer.
          database.createObjectStore('records', { keyPath: 'id' }).createIndex('state', 'state');
          database.createObjectStore('blobs', { keyPath: 'sha256' });
          database.createObjectStore('returned', { keyPath: 'id' });   // records a supervisor returned
          database.createObjectStore('follow_ups', { keyPath: 'id' });
        }
        if (oldVersion < 2) {
          // Follow-up steps taken on the phone ("fixed" with its photos), keyed by the event id
          // the phone made, waiting in the outbox like records.
          database.createObjectStore('followup_events', { keyPath: 'id' });
        }
      },
    });
  }
  return dbPromise;
}

export async function kvGet(key) { return (await db()).get('kv', key); }
export async function kvSet(key, value) { return (await db()).put('kv', value, key); }
export async function kvDelete(key) { return (await db()).delete('kv', key); }

export async function getAll(store) { return (await db()).getAll(store); }
export async function getAllFor(store, propertyId) {
  return (await db()).getAllFromIndex(store, 'property_id', propertyId);
}
export async function get(store, key) { return (await db()).get(store, key); }
export async function put(store, value) { return (await db()).put(store, value); }
export async function del(store, key) { return (await db()).delete(store, key); }

/** Read whole stores and one kv value in a single transaction (the home screen). */
export async function readMany(stores, kvKey) {
  const tx = (await db()).transaction([...stores, 'kv']);
  const results = await Promise.all([...stores.map((name) => tx.objectStore(name).getAll()),
    tx.objectStore('kv').get(kvKey)]);
  await tx.done;
  return results;
}

/** Upsert many rows in one transaction (pull answers). */
export async function putMany(store, rows) {
  if (!rows || !rows.length) return;
  const tx = (await db()).transaction(store, 'readwrite');
  await Promise.all([...rows.map((row) => tx.store.put(row)), tx.done]);
}

/** Replace a whole store (the due list is always complete, never a delta). */
export async function replaceAll(store, rows) {
  const tx = (await db()).transaction(store, 'readwrite');
  await tx.store.clear();
  await Promise.all([...(rows || []).map((row) => tx.store.put(row)), tx.done]);
}

/**
 * Another person logs in on this phone: forget the previous person's registers, checklists and
 * lists. Local work (records, images) is kept: it belongs to its author and waits for them.
 */
export async function forgetPulledData() {
  const names = ['properties', 'checklists', 'units', 'renovations', 'keys', 'due', 'returned', 'follow_ups'];
  const tx = (await db()).transaction([...names, 'kv'], 'readwrite');
  await Promise.all([...names.map((name) => tx.objectStore(name).clear()),
    tx.objectStore('kv').delete('cursor'), tx.objectStore('kv').delete('followUpsAvailable'), tx.done]);
}

/** Every SHA-256 a record refers to: photos, signatures, register-row photos. */
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

/** Delete the given blobs unless a record still kept on the phone refers to them. */
export async function dropUnreferencedBlobs(hashes) {
  const database = await db();
  const tx = database.transaction(['records', 'followup_events', 'blobs'], 'readwrite');
  const records = await tx.objectStore('records').getAll();
  const events = await tx.objectStore('followup_events').getAll();
  const used = new Set([...records.flatMap((r) => attachmentHashes(r.answers)),
    ...events.flatMap((e) => (e.photos || []).map((p) => p.sha256))]);
  for (const hash of hashes) if (!used.has(hash)) await tx.objectStore('blobs').delete(hash);
  await tx.done;
}

/**
 * Start-up check (Enketo store.js): storage must be writable and able to hold Blobs, or the
 * app must say so rather than pretend to save. Also asks for persistent storage.
 */
export async function checkStorage() {
  const result = { writable: false, persisted: false, usage: null, quota: null };
  try {
    const database = await db();
    await database.put('kv', new Blob(['ok'], { type: 'text/plain' }), '__probe');
    const back = await database.get('kv', '__probe');
    result.writable = back instanceof Blob && back.size === 2;
    await database.delete('kv', '__probe');
  } catch (error) {
    result.writable = false;
  }
  if (navigator.storage) {
    try {
      result.persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
    } catch (error) { /* not offered: reported as not persisted */ }
    Object.assign(result, await storageEstimate());
  }
  return result;
}

export async function storageEstimate() {
  if (!navigator.storage || !navigator.storage.estimate) return { usage: null, quota: null };
  const { usage, quota } = await navigator.storage.estimate();
  return { usage, quota };
}

/** Low when less than 15 % or 50 MB of the quota is left. */
export function storageLow({ usage, quota }) {
  if (!quota) return false;
  return quota - usage < Math.min(50 * 1024 * 1024, quota * 0.5) || usage / quota > 0.85;
}
