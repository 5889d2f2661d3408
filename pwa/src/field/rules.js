// What the patrol's home and picker screens show, as pure functions of the data on the phone
// (so they are tested in Node): the property's due list, its follow-ups in due order, what is
// overdue, the supervisor's last return, and the subject search.
import { todayIso } from '../shared/time.js';

/** The due list of one property (the phone keeps every assigned property's). */
export const dueFor = (due, propertyId) => due.filter((d) => d.property_id === propertyId);

/** A due entry is done once as many inspections as required are in. */
export const isDone = (entry) => entry.done >= entry.required;

/** An open follow-up past its due date (dates compared as YYYY-MM-DD). */
export const isOverdue = (followUp, today = todayIso()) => followUp.status === 'open' && !!followUp.due_date
  && followUp.due_date < today;

/** The follow-ups of one property (or of none in particular), soonest due first. */
export const followUpsFor = (followUps, propertyId) => followUps
  .filter((f) => !f.property_id || f.property_id === propertyId)
  .sort((a, b) => String(a.due_date).localeCompare(String(b.due_date)));

/** The supervisor's latest "return" step: overall comment and what to fix per item. */
export function lastReturn(record) {
  const steps = (record.reviews || []).filter((r) => r.action === 'return');
  return steps[steps.length - 1] || null;
}

/**
 * Subjects matching what was typed: every word (split on spaces and commas, either width) must
 * appear in the row's search text, case-insensitive. At most 50, so the list stays quick.
 */
export function matchSubjects(rows, query) {
  const words = query.trim().toLowerCase().split(/[\s,，]+/).filter(Boolean);
  return rows.filter((row) => words.every((w) => (row.search || row.label).toLowerCase().includes(w))).slice(0, 50);
}
