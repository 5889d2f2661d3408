// Follow-up steps made on the phone (the assignee's "fixed" with its photos), waiting in the
// outbox under an id the phone made, so a resend after a lost answer is harmless.
//
//   queueEvent → OUTBOX --markEventSent--> (deleted; the local follow-up takes the server's copy)
//   OUTBOX --markEventRefused--> REJECTED --requeueEvent--> OUTBOX
//   REJECTED --discardEvent--> (deleted)
//
// The photos are blobs kept by the record repository; a step's photos are deleted with it
// unless something else still refers to them.
import { STORE, db } from './db.js';
import { dropUnreferenced, eventHashes } from './records.js';

export const EventState = Object.freeze({ OUTBOX: 'outbox', REJECTED: 'rejected' });

const WITH_BLOBS = [STORE.followUpEvents, STORE.records, STORE.blobs];

export async function allEvents() { return (await db()).getAll(STORE.followUpEvents); }

/** Queue one step, to be sent (made offline or online). */
export async function queueEvent(event) {
  return (await db()).put(STORE.followUpEvents, { ...event, state: EventState.OUTBOX });
}

/** Steps to send, oldest first: `username`'s own, not refused. */
export async function eventsToSend(username) {
  return (await allEvents())
    .filter((e) => e.state !== EventState.REJECTED && (!username || !e.author || e.author === username))
    .sort((a, b) => String(a.at).localeCompare(String(b.at)));
}

/** The server took the step: drop it and its photos, keep the follow-up as the server answered. */
export async function markEventSent(event, followUp) {
  const tx = (await db()).transaction([...WITH_BLOBS, STORE.followUps], 'readwrite');
  await tx.objectStore(STORE.followUpEvents).delete(event.id);
  // A verified follow-up is closed: nothing more for the phone to do.
  if (followUp.status === 'verified') await tx.objectStore(STORE.followUps).delete(followUp.id);
  else await tx.objectStore(STORE.followUps).put(followUp);
  await dropUnreferenced(tx, eventHashes(event));
  await tx.done;
}

/** The server refused the step: keep it with the reason until the user retries or drops it. */
export async function markEventRefused(event, reason) {
  return (await db()).put(STORE.followUpEvents, { ...event, state: EventState.REJECTED, error: reason });
}

export async function requeueEvent(id) {
  const database = await db();
  const event = await database.get(STORE.followUpEvents, id);
  if (event) await database.put(STORE.followUpEvents, { ...event, state: EventState.OUTBOX, error: null });
}

export async function discardEvent(id) {
  const tx = (await db()).transaction(WITH_BLOBS, 'readwrite');
  const event = await tx.objectStore(STORE.followUpEvents).get(id);
  if (event) {
    await tx.objectStore(STORE.followUpEvents).delete(id);
    await dropUnreferenced(tx, eventHashes(event));
  }
  await tx.done;
}
