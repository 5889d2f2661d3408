performance.mark('xuncha:script-start');
// Start-up: language, storage check, service worker with the update prompt, then the app.
import { render } from 'preact';
import { html } from 'htm/preact';
import { Workbox } from 'workbox-window';
import { App } from './app.js';
import { db } from './shared/db.js';
import { detectLanguage, setLanguage } from './shared/i18n.js';
import { notices } from './shared/notices.js';
import { savedLanguage } from './shared/session.js';
import './styles.css';

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const wb = new Workbox('/sw.js');
  // A new version waits; the user decides when to switch (never under a half-filled form).
  wb.addEventListener('waiting', () => {
    notices.set({ update: () => {
      wb.addEventListener('controlling', () => window.location.reload());
      wb.messageSkipWaiting();
    } });
  });
  wb.addEventListener('installed', (event) => {
    if (!event.isUpdate) {
      notices.set({ offlineReady: true });
      setTimeout(() => notices.set({ offlineReady: false }), 8000);
    }
  });
  wb.register().catch(() => { /* no worker (blocked or unsupported): the app still runs online */ });
  // Look for a new version whenever the app comes back to the foreground (the browser itself
  // checks only on navigations).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') wb.update().catch(() => {});
  });
}

function start() {
  db();  // start opening IndexedDB while the first screen is drawn
  setLanguage(detectLanguage(savedLanguage()));
  const root = document.getElementById('app');
  root.textContent = '';  // the "loading" line of index.html
  render(html`<${App} />`, root);
  registerServiceWorker();
}

start();
