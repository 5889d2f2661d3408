// What the server sends down (the pull) as kept on the phone: properties, checklists, registers
// (units, renovations, keys), the due list, records returned for fixing, follow-ups, and for
// supervisors the staff of their properties (the subjects of one-to-one talks). The phone
// never edits these; each pull brings the server's copy.
import { unwrap } from 'idb';
import { STORE, db, kvDelete, kvGet } from './db.js';
import { RECENTLY_SENT } from './records.js';

const PULLED = [STORE.properties, STORE.checklists, STORE.units, STORE.renovations, STORE.keys, STORE.due,
  STORE.returned, STORE.followUps];

export const getCursor = () => kvGet('cursor');
/** Forget where the last pull ended: the next pull is a full one. */
export const clearCursor = () => kvDelete('cursor');

/**
 * Apply one pull answer in a single transaction, cursor included: all of it is kept, or none.
 * `askedAt` is when the pull was sent: records sent before it are in the answer's due counts.
 */
export async function applyPull(data, { askedAt = Date.now() } = {}) {
  const tx = (await db()).transaction([...PULLED, STORE.kv], 'readwrite');
  // Plain IndexedDB requests, not one promise each: a pull may hold thousands of units, and
  // wrapping each put made storing them one long task. A failed put aborts the transaction,
  // and `tx.done` below rejects.
  const upsert = (name, rows) => {
    const store = unwrap(tx.objectStore(name));
    for (const row of rows || []) store.put(row);
  };
  const replace = async (name, rows) => {
    await tx.objectStore(name).clear();
    upsert(name, rows);
  };
  upsert(STORE.properties, data.properties);
  upsert(STORE.checklists, data.checklists);
  upsert(STORE.units, data.units);
  upsert(STORE.renovations, data.renovations);
  upsert(STORE.keys, data.keys);
  for (const record of data.records || []) {
    if (record.status === 'returned') await tx.objectStore(STORE.returned).put(record);
    else await tx.objectStore(STORE.returned).delete(record.id);
  }
  // The due list is always complete, never a delta; it now counts what was sent before it.
  if (Array.isArray(data.due)) {
    await replace(STORE.due, data.due);
    const recent = (await tx.objectStore(STORE.kv).get(RECENTLY_SENT)) || [];
    await tx.objectStore(STORE.kv).put(recent.filter((r) => r.sent_at > askedAt), RECENTLY_SENT);
  }
  if (Array.isArray(data.follow_ups)) {
    // A full pull lists every open follow-up; a delta only those that changed. A verified one
    // is closed: the phone forgets it.
    const open = data.follow_ups.filter((f) => f.status !== 'verified');
    if (data.full) await replace(STORE.followUps, open);
    else {
      upsert(STORE.followUps, open);
      for (const f of data.follow_ups) if (f.status === 'verified') await tx.objectStore(STORE.followUps).delete(f.id);
    }
    await tx.objectStore(STORE.kv).put(true, 'followUpsAvailable');
  }
  // Counts shown in the app (assigned to me, overdue, returned, escalated), as of this pull.
  if (data.notices) await tx.objectStore(STORE.kv).put(data.notices, 'notices');
  // The staff list, like the due list, is always complete.
  if (Array.isArray(data.staff)) await tx.objectStore(STORE.kv).put(data.staff, 'staff');
  if (data.server_time) {
    await tx.objectStore(STORE.kv).put(Date.now() - new Date(data.server_time).getTime(), 'clockOffsetMs');
  }
  await tx.objectStore(STORE.kv).put(data.cursor, 'cursor');
  await tx.done;
}

/**
 * Another person logs in on this phone: forget the previous person's registers, checklists and
 * lists. Local work (records, images) is kept: it belongs to its author and waits for them.
 */
export async function forgetPulledData() {
  const tx = (await db()).transaction([...PULLED, STORE.kv], 'readwrite');
  await Promise.all([...PULLED.map((name) => tx.objectStore(name).clear()),
    tx.objectStore(STORE.kv).delete('cursor'), tx.objectStore(STORE.kv).delete('followUpsAvailable'),
    tx.objectStore(STORE.kv).delete(RECENTLY_SENT), tx.objectStore(STORE.kv).delete('notices'),
    tx.objectStore(STORE.kv).delete('staff'), tx.objectStore(STORE.kv).delete('myAssessments'), tx.done]);
}

export async function allChecklists() { return (await db()).getAll(STORE.checklists); }
export async function checklistById(id) { return (await db()).get(STORE.checklists, id); }
export async function property(id) { return (await db()).get(STORE.properties, id); }
export async function followUp(id) { return (await db()).get(STORE.followUps, id); }

const ofProperty = async (name, propertyId) => (await db()).getAllFromIndex(name, 'property_id', propertyId);
export const unitsOf = (propertyId) => ofProperty(STORE.units, propertyId);
export const renovationsOf = (propertyId) => ofProperty(STORE.renovations, propertyId);
export const keysOf = (propertyId) => ofProperty(STORE.keys, propertyId);
/** The due list as last pulled (every assigned property's; small). */
export async function dueList() { return (await db()).getAll(STORE.due); }
/** The staff of a property (supervisors' phones only): [{id, display_name, property_id}]. */
export const staffOf = async (propertyId) => ((await kvGet('staff')) || [])
  .filter((person) => person.property_id === propertyId);

/**
 * Everything the home screen lists, read in one transaction so it is one consistent picture:
 * the due list, local records, returned records, follow-ups and the follow-up steps queued here.
 */
export async function readHome() {
  const tx = (await db()).transaction([STORE.due, STORE.records, STORE.returned, STORE.followUps,
    STORE.followUpEvents, STORE.kv]);
  const [due, records, returned, followUps, events, followUpsAvailable, sent, counts] = await Promise.all([
    tx.objectStore(STORE.due).getAll(), tx.objectStore(STORE.records).getAll(),
    tx.objectStore(STORE.returned).getAll(), tx.objectStore(STORE.followUps).getAll(),
    tx.objectStore(STORE.followUpEvents).getAll(), tx.objectStore(STORE.kv).get('followUpsAvailable'),
    tx.objectStore(STORE.kv).get(RECENTLY_SENT), tx.objectStore(STORE.kv).get('notices')]);
  await tx.done;
  return { due, records, returned, followUps, events, followUpsAvailable, sent: sent || [], counts: counts || null };
}
