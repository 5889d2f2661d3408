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
