// The login remembered on this device, and the chosen language. Kept in localStorage (small,
// read synchronously) so a cold start can draw the app before IndexedDB has even opened.
const SESSION = 'xuncha.session';
const LANG = 'xuncha.lang';

export function loadSession() {
  try { return JSON.parse(localStorage.getItem(SESSION)) || null; } catch (error) { return null; }
}
export function saveSession(session) { localStorage.setItem(SESSION, JSON.stringify(session)); }
export function clearSession() { localStorage.removeItem(SESSION); localStorage.removeItem('xuncha.due'); }
export const savedLanguage = () => localStorage.getItem(LANG);
export const saveLanguage = (lang) => localStorage.setItem(LANG, lang);

// A copy of the (small) due list, so a cold start can show it before IndexedDB has opened;
// IndexedDB stays the source of truth and replaces it a moment later.
const DUE = 'xuncha.due';
export function saveDueSnapshot(due) {
  try { localStorage.setItem(DUE, JSON.stringify(due)); } catch (error) { /* full: IndexedDB has it */ }
}
export function loadDueSnapshot() {
  try { return JSON.parse(localStorage.getItem(DUE)) || null; } catch (error) { return null; }
}
