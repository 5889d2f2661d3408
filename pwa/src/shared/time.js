// Times as the sync protocol wants them: local time with its offset, so the server keeps the
// phone's clock as the inspector saw it (2026-11-23T09:01:00+08:00).

export function isoNow(date = new Date()) {
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** Today in UTC as YYYY-MM-DD: what follow-up due dates are compared with. */
export const todayIso = (date = new Date()) => date.toISOString().slice(0, 10);
