// The one IndexedDB connection: versioned upgrades, records keyed by their UUID, photo and
// signature bytes in their own store keyed by SHA-256. Only this module and the repositories
// (records.js, followup-queue.js, pulled.js) name stores; screens call the repositories. No
// network call is ever awaited inside a transaction (the transaction would close under it).
import { openDB } from 'idb';
import { notices } from './notices.js';

export const DB_NAME = 'xuncha';
const DB_VERSION = 2;

/** Store names, for the repositories. */
export const STORE = Object.freeze({
  kv: 'kv',                        // session leftovers, cursor, settings
  properties: 'properties',
  checklists: 'checklists',
  units: 'units',
  renovations: 'renovations',
  keys: 'keys',
  due: 'due',
  records: 'records',              // drafts, sealed records in the outbox, refused ones
  blobs: 'blobs',                  // image bytes by SHA-256
  returned: 'returned',            // records a supervisor returned
  followUps: 'follow_ups',
  followUpEvents: 'followup_events',
});

let dbPromise;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) {
          database.createObjectStore(STORE.kv);
          database.createObjectStore(STORE.properties, { keyPath: 'id' });
          database.createObjectStore(STORE.checklists, { keyPath: 'id' });
          for (const name of [STORE.units, STORE.renovations, STORE.keys]) {
            database.createObjectStore(name, { keyPath: 'id' }).createIndex('property_id', 'property_id');
          }
          database.createObjectStore(STORE.due, { autoIncrement: true });
          // Local work is deleted only after the server's success answer.
          database.createObjectStore(STORE.records, { keyPath: 'id' }).createIndex('state', 'state');
          database.createObjectStore(STORE.blobs, { keyPath: 'sha256' });
          database.createObjectStore(STORE.returned, { keyPath: 'id' });
          database.createObjectStore(STORE.followUps, { keyPath: 'id' });
        }
        if (oldVersion < 2) {
          // Follow-up steps taken on the phone ("fixed" with its photos), keyed by the event id
          // the phone made, waiting in the outbox like records.
          database.createObjectStore(STORE.followUpEvents, { keyPath: 'id' });
        }
      },
      // This tab runs a newer version and must upgrade the schema, but an older tab keeps the
      // database open: the upgrade waits until that tab lets go, so say which tabs to close.
      blocked() {
        notices.set({ dbBlocked: true });
      },
      // This tab holds up a newer tab's upgrade: let go at once, so the upgrade never hangs, and
      // ask the user to reload into the new version (this tab's code no longer fits the schema).
      blocking(currentVersion, blockedVersion, event) {
        event.target.close();
        dbPromise = null;
        notices.set({ dbReload: true });
      },
      // The browser closed the connection (storage cleared, disk error): open again on next use.
      terminated() {
        dbPromise = null;
      },
    });
    dbPromise.then(() => notices.value.dbBlocked && notices.set({ dbBlocked: false }), () => {});
  }
  return dbPromise;
}

export async function kvGet(key) { return (await db()).get(STORE.kv, key); }
export async function kvSet(key, value) { return (await db()).put(STORE.kv, value, key); }
export async function kvDelete(key) { return (await db()).delete(STORE.kv, key); }

/**
 * Start-up check: storage must be writable and able to hold Blobs (private windows and some
 * browsers refuse), or the app must say so rather than pretend to save. Also asks for
 * persistent storage.
 */
export async function checkStorage() {
  const result = { writable: false, persisted: false, usage: null, quota: null };
  try {
    const database = await db();
    await database.put(STORE.kv, new Blob(['ok'], { type: 'text/plain' }), '__probe');
    const back = await database.get(STORE.kv, '__probe');
    result.writable = back instanceof Blob && back.size === 2;
    await database.delete(STORE.kv, '__probe');
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
