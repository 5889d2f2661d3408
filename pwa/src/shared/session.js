// The login remembered on this device, and the chosen language. Kept in localStorage (small,
// read synchronously) so a cold start can draw the app before IndexedDB has even opened.
const SESSION = 'xuncha.session';
const LANG = 'xuncha.lang';
const DUE = 'xuncha.due';
const LAST_USER = 'xuncha.lastUser';

export function loadSession() {
  try { return JSON.parse(localStorage.getItem(SESSION)) || null; } catch (error) { return null; }
}
export function saveSession(session) { localStorage.setItem(SESSION, JSON.stringify(session)); }
export function clearSession() { localStorage.removeItem(SESSION); localStorage.removeItem(DUE); }
export const savedLanguage = () => localStorage.getItem(LANG);
export const saveLanguage = (lang) => localStorage.setItem(LANG, lang);

/** Whether the person logging in is not the one who used this phone last. */
export const isOtherUser = (username) => localStorage.getItem(LAST_USER) !== username;
/** Remember who uses the phone now; the previous person's copy of the due list goes. */
export function switchUser(username) {
  localStorage.removeItem(DUE);
  localStorage.setItem(LAST_USER, username);
}

// A copy of the (small) due list, so a cold start can show it before IndexedDB has opened;
// IndexedDB stays the source of truth and replaces it a moment later.
export function saveDueSnapshot(due) {
  try { localStorage.setItem(DUE, JSON.stringify(due)); } catch (error) { /* full: IndexedDB has it */ }
}
export function loadDueSnapshot() {
  try { return JSON.parse(localStorage.getItem(DUE)) || null; } catch (error) { return null; }
}
