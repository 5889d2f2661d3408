// Hooks the screens share: app-wide notices, the sync status, and a callback after paint.
import { useEffect, useState } from 'preact/hooks';
import { notices } from './notices.js';
import * as sync from './sync.js';

export function useNotices() {
  const [value, setValue] = useState(notices.value);
  useEffect(() => { notices.listeners.add(setValue); return () => notices.listeners.delete(setValue); }, []);
  return value;
}

export function useSyncStatus() {
  const [value, setValue] = useState({ ...sync.status });
  useEffect(() => sync.subscribe(setValue), []);
  return value;
}

/** Runs after the next frame has been painted (rAF runs before paint; the timeout after it). */
export const afterPaint = (callback) => requestAnimationFrame(() => setTimeout(callback, 0));

/**
 * Run `callback` once the page has nothing more urgent to do, and within `timeout` ms at the
 * latest: for start-up work (the first sync) that must not hold up drawing the screen the user
 * opened. A big pull stores thousands of rows in one IndexedDB transaction, and a form reading
 * its checklist would wait behind it.
 */
export function whenIdle(callback, timeout) {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(callback, { timeout });
  else setTimeout(callback, Math.min(timeout, 200));
}
