// What the patrol's home and picker screens show, as pure functions of the data on the phone
// (so they are tested in Node): the property's due list, its follow-ups in due order, what is
// overdue, the supervisor's last return, and the subject search.
import { RecordState } from '../shared/record-state.js';
import { addDays, todayIso } from '../shared/time.js';

/** The due list of one property (the phone keeps every assigned property's). */
export const dueFor = (due, propertyId) => due.filter((d) => d.property_id === propertyId);

/** How the due list is grouped on the home screen, shortest period first. */
export const PERIODS = Object.freeze(['day', 'week', 'month']);

/** The due list by period (today, this week, this month), each with how many entries are done. */
export function groupDue(entries) {
  return PERIODS.map((period) => {
    const list = entries.filter((e) => (PERIODS.includes(e.period) ? e.period : 'month') === period);
    return { period, entries: list, done: list.filter(isDone).length, total: list.length };
  }).filter((group) => group.total > 0);
}

/** A due entry is done once as many inspections as required are in. */
export const isDone = (entry) => entry.done >= entry.required;

// "2026-11-23T00:00:00+08:00" → ["2026-11-23", "T00:00:00+08:00"]: periods are moved on by
// calendar, keeping the property's offset the server wrote.
const splitStamp = (stamp) => [stamp.slice(0, 10), stamp.slice(10)];
function nextPeriodEnd(period, start) {
  const [day, rest] = splitStamp(start);
  if (period === 'day') return addDays(day, 1) + rest;
  if (period === 'week') return addDays(day, 7) + rest;
  const [y, m] = day.split('-').map(Number);
  const next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);  // the 1st of the month after
  return next + rest;
}

/**
 * The entry for the period containing `now`. The due list comes from the last pull; a phone
 * offline past midnight (or the month's end) in the property's zone starts the new period with
 * nothing done, as the server will.
 */
export function currentPeriod(entry, now = Date.now()) {
  if (!entry.period_end || Date.parse(entry.period_end) > now) return entry;
  let start = entry.period_end;
  let end = nextPeriodEnd(entry.period, start);
  for (let guard = 0; Date.parse(end) <= now && guard < 400; guard += 1) {
    start = end;
    end = nextPeriodEnd(entry.period, start);
  }
  return { ...entry, period_start: start, period_end: end, done: 0 };
}

const inPeriod = (entry, time) => !entry.period_start
  || (Date.parse(time) >= Date.parse(entry.period_start) && Date.parse(time) < Date.parse(entry.period_end));

const aboutEntry = (entry, record) => record.property_id === entry.property_id
  && record.checklist && record.checklist.code === entry.checklist_code
  && record.subject && record.subject.type === entry.subject.type
  && (entry.subject.id == null || record.subject.id === entry.subject.id);

/**
 * A due entry with the phone's own work on it, so the list is right at once and offline:
 * `drafts` in progress, `waiting` sealed records not yet sent, and records `sent` since the
 * list was pulled (the server counts those from the next pull on). A share of households counts
 * each household once, and only one the server has not already counted this period.
 */
export function withLocalWork(entry, local, sent = [], now = Date.now()) {
  const current = currentPeriod(entry, now);
  const drafts = local.filter((r) => r.state === RecordState.DRAFT && aboutEntry(current, r));
  const sealed = (list) => list.filter((r) => aboutEntry(current, r) && inPeriod(current, r.completed_at));
  let waiting = sealed(local.filter((r) => r.state === RecordState.OUTBOX));
  let arrived = sealed(sent);
  if (current.subject.id == null) {
    // The candidate list is complete when shorter than the 50 the server sends at most.
    const candidates = current.candidate_unit_ids || [];
    const counts = candidates.length < 50 ? new Set(candidates) : null;
    const seen = new Set();
    const once = (r) => {
      if (seen.has(r.subject.id) || (counts && !counts.has(r.subject.id))) return false;
      seen.add(r.subject.id);
      return true;
    };
    arrived = arrived.filter(once);
    waiting = waiting.filter(once);
  }
  return { ...current, done: current.done + waiting.length + arrived.length, waiting, drafts,
    sentHere: arrived.length };
}

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

const BUILDING = /^(栋|幢|号楼|座)/;
const ENTRANCE = /^单元/;
const ROOM = /^(室|号)/;

/**
 * A unit as people type it: "5-1-802", "5 1 802", "5栋1单元802", "5栋802", "5-802", "802".
 * Numbers marked 栋/单元/室 go where they say; unmarked ones fill the rest from the end: the last
 * is the room, then the first the building, and a middle one the entrance. Other words (an
 * owner's name) are kept to match as text.
 */
export function parseUnitQuery(query) {
  const parts = {};
  const loose = [];
  const text = query.trim().toLowerCase().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  const words = [];
  const pattern = /(\d+)\s*(栋|幢|号楼|座|单元|室|号)?|([^\d\s,，\-－—#/·.]+)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[3]) {
      if (!/^(栋|幢|号楼|座|单元|室|号)+$/.test(match[3])) words.push(match[3]);
      continue;
    }
    const number = String(Number(match[1]));
    const marker = match[2] || '';
    if (BUILDING.test(marker)) parts.building = number;
    else if (ENTRANCE.test(marker)) parts.entrance = number;
    else if (ROOM.test(marker)) parts.room = number;
    else loose.push(number);
  }
  if (loose.length && parts.room === undefined) parts.room = loose.pop();
  if (loose.length && parts.building === undefined) parts.building = loose.shift();
  if (loose.length && parts.entrance === undefined) parts.entrance = loose.shift();
  words.push(...loose);  // more numbers than places: match them as text
  return { parts, words };
}

const sameNumber = (a, b) => String(Number(a)) === String(b) || String(a).toLowerCase() === String(b);

/**
 * Subjects matching what was typed, at most 50 so the list stays quick. A row with a unit's
 * `parts` (building, entrance, room) matches the numbers typed by place; every other word must
 * appear in the row's search text, case-insensitive.
 */
export function matchSubjects(rows, query) {
  const { parts, words } = parseUnitQuery(query);
  const places = Object.entries(parts);
  return rows.filter((row) => {
    const search = (row.search || row.label).toLowerCase();
    if (!words.every((w) => search.includes(w))) return false;
    if (!row.parts) return places.every(([, number]) => search.includes(number));
    return places.every(([place, number]) => sameNumber(row.parts[place] || '', number));
  }).slice(0, 50);
}

/**
 * Units for a household visit, in the order to suggest them: the ones the server proposes (not
 * visited in the cycle, key customers first) on top, marked `suggested`; when its list is
 * complete (fewer than the 50 it sends at most) every other unit was visited in the cycle and
 * is marked `visited`. Without a due entry (no share rule) the order is left alone.
 */
export function rankUnits(rows, entry) {
  const candidates = (entry && entry.candidate_unit_ids) || [];
  if (!entry) return rows;
  const complete = candidates.length < 50;
  const position = new Map(candidates.map((id, index) => [id, index]));
  const marked = rows.map((row) => ({ ...row, suggested: position.has(row.id),
    visited: complete && !position.has(row.id) }));
  const rank = (row) => (row.suggested ? position.get(row.id) : candidates.length + (row.visited ? 1 : 0));
  return marked.map((row, index) => [row, index])
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([row]) => row);
}

/** The share-of-households entry of a checklist at a property (e.g. 8% visited a month), if any. */
export const shareEntry = (due, propertyId, code) => due.find((d) => d.property_id === propertyId
  && d.checklist_code === code && d.subject.id == null && d.subject.type === 'unit') || null;
