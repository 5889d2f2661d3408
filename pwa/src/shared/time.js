// Times as the sync protocol wants them: local time with its offset, so the server keeps the
// phone's clock as the inspector saw it (2026-11-23T09:01:00+08:00). Calendar days, weeks and
// months are the property's (its time zone), never the phone's or UTC: a night check at 00:30
// in Shanghai belongs to that Shanghai day, whatever zone the phone is set to.

/** Where a property's zone is not known yet (a first start offline), the product's home zone. */
export const DEFAULT_ZONE = 'Asia/Shanghai';

export function isoNow(date = new Date()) {
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

const dayFormats = new Map();
function dayFormat(zone) {
  if (!dayFormats.has(zone)) {
    // en-CA writes dates as YYYY-MM-DD.
    dayFormats.set(zone, new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }));
  }
  return dayFormats.get(zone);
}

/** The calendar day (YYYY-MM-DD) it is at `date` in `zone`. */
export const dayIn = (zone, date = new Date()) => dayFormat(zone || DEFAULT_ZONE).format(date);

/** Today in the property's zone, as YYYY-MM-DD: what follow-up due dates are compared with. */
export const todayIso = (zone = DEFAULT_ZONE, date = new Date()) => dayIn(zone, date);

/** This month in the property's zone, as YYYY-MM. */
export const monthIn = (zone = DEFAULT_ZONE, date = new Date()) => dayIn(zone, date).slice(0, 7);

/** A calendar day (YYYY-MM-DD) moved by `days`. */
export function addDays(day, days) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The months before and including `current` (YYYY-MM), newest first: what a month picker offers. */
export function recentMonths(current, count = 24) {
  const [year, number] = current.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => {
    const index = year * 12 + (number - 1) - i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}
