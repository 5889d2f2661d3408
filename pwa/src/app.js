// The app shell, the same for every user: login, notices, the sync status bar, the workspace
// links for those who get them, and the screen the route table picks for the hash.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { MyAssessment, MyAssessments } from './field/assessments.js';
import { FixFollowUp } from './field/fix-followup.js';
import { ChecklistForm } from './field/form.js';
import { Home } from './field/home.js';
import { NewInspection } from './field/new-inspection.js';
import { WorkOrderEntry } from './field/work-order.js';
import { NAV, activeNav, matchRoute, seesWorkspace } from './routes.js';
import { ApiError, api, setToken } from './shared/api.js';
import { checkStorage, storageEstimate, storageLow } from './shared/db.js';
import { deviceIdentifier } from './shared/device.js';
import { useNotices, useSyncStatus, whenIdle } from './shared/hooks.js';
import { formatBytes, formatTime, getLanguage, setLanguage, t } from './shared/i18n.js';
import { notices } from './shared/notices.js';
import * as pulled from './shared/pulled.js';
import * as records from './shared/records.js';
import { go, useRoute } from './shared/router.js';
import { clearSession, isOtherUser, loadSession, saveLanguage, saveSession, switchUser } from './shared/session.js';
import * as sync from './shared/sync.js';

const FIELD_SCREENS = { ChecklistForm, FixFollowUp, Home, MyAssessment, MyAssessments, NewInspection, WorkOrderEntry };

// The workspace chunk: fetched the first time a workspace screen opens (for a supervisor, right
// after start-up). Workbox precaches it with every other built file, so once the service worker
// is installed it loads offline too.
let workspace = null;
let workspaceLoading = null;
function loadWorkspace() {
  if (!workspaceLoading) {
    workspaceLoading = import('./workspace/index.js').then((module) => { workspace = module; return module; });
    workspaceLoading.catch(() => { workspaceLoading = null; });  // not reachable now: try again next time
  }
  return workspaceLoading;
}

/** A workspace screen: drawn at once when its chunk is here, else once it has arrived. */
function WorkspaceScreen({ screen, props }) {
  const [, setArrived] = useState(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    // Always wait on the chunk, even if it arrived meanwhile: it can land between this render
    // (which saw none) and this effect, and returning early then left "loading" on screen for
    // good (seen in a browser test under load).
    let cancelled = false;
    loadWorkspace().then(() => !cancelled && setArrived(true), () => !cancelled && setFailed(true));
    return () => { cancelled = true; };
  }, []);
  if (workspace) {
    const Screen = workspace[screen];
    return html`<${Screen} ...${props} />`;
  }
  if (failed) return html`<main class="screen"><p class="error" role="alert">${t('screen_unavailable')}</p></main>`;
  return html`<p class="boot">${t('loading')}</p>`;
}

export function App() {
  const [session, setSession] = useState(() => {
    const saved = loadSession();
    if (saved) { setToken(saved.token); sync.setSession(saved); }
    return saved;
  });
  const [, setLang] = useState(getLanguage());
  const parts = useRoute();

  useEffect(() => {
    // After the first screen is drawn, with what it shows read from IndexedDB and painted:
    // storage check, counts and the first sync attempt. A pull's answer can hold thousands of
    // rows; storing them takes the main thread (and IndexedDB) for a while, which must not
    // land in the middle of drawing the screen the user opened. One second after start, then
    // at the first idle moment (at most one more second).
    setTimeout(() => whenIdle(() => {
      deviceIdentifier();
      checkStorage().then((storage) => notices.set({ storage }));
      // Images left behind by an interrupted change take room a shift's photos need.
      records.sweepUnreferencedBlobs().then(() => sync.refreshCounts(), () => sync.refreshCounts());
      if (session) sync.startSyncTriggers();
      if (session && seesWorkspace(session.user)) loadWorkspace().catch(() => {});
    }, 1000), 1000);
  }, []);

  const switchLanguage = async () => {
    const next = getLanguage() === 'zh-CN' ? 'en' : 'zh-CN';
    setLanguage(next);
    saveLanguage(next);
    setLang(next);
  };

  const onLogin = async (saved) => {
    setToken(saved.token);
    sync.setSession(saved);
    setSession(saved);
    go('/');
    if (seesWorkspace(saved.user)) loadWorkspace().catch(() => {});
    await sync.startSyncTriggers();
  };

  const onLogout = async () => {
    await sync.refreshCounts();
    if (sync.status.pendingRecords && !window.confirm(t('logout_pending'))) return;
    try { await api('/api/auth/logout', { method: 'POST' }); } catch (error) { /* offline: token expires */ }
    clearSession();
    await pulled.clearCursor();
    setToken(null);
    sync.setSession(null);
    setSession(null);
  };

  const top = html`<${Notices} />`;
  if (!session) return html`${top}<${Login} onLogin=${onLogin} onLanguage=${switchLanguage} />`;
  const { route, id } = matchRoute(parts, session.user);
  const props = { id, session, onLogout, onLanguage: switchLanguage, ...route.props };
  const key = route.key === 'hash' ? window.location.hash : route.key === 'id' ? id : undefined;
  const Screen = FIELD_SCREENS[route.screen];
  const screen = route.workspace ? html`<${WorkspaceScreen} key=${key} screen=${route.screen} props=${props} />`
    : html`<${Screen} key=${key} ...${props} />`;
  const nav = seesWorkspace(session.user) && html`<${WorkspaceNav} active=${activeNav(parts)} />`;
  return html`${top}<${SyncBar} />${nav}${screen}`;
}

function WorkspaceNav({ active }) {
  return html`<nav class="wsnav" aria-label=${t('app')}>${NAV.map(([path, label, name]) => html`
    <a href=${`#${path}`} class=${active === name ? 'active' : ''} aria-current=${active === name ? 'page' : null}
      data-testid=${`nav-${name}`}>${t(label)}</a>`)}</nav>`;
}

function Notices() {
  const value = useNotices();
  const sync_ = useSyncStatus();
  const storage = value.storage || {};
  const [estimate, setEstimate] = useState(null);
  useEffect(() => { storageEstimate().then(setEstimate); }, [sync_.pendingPhotos, value.storageTick]);
  const low = estimate && storageLow(estimate);
  return html`<div class="notices" role="status" aria-live="polite">
    ${value.update && html`<div class="notice notice-update">
      <span>${t('update_available')}</span>
      <button class="btn btn-small" onClick=${value.update}>${t('update_now')}</button>
      <button class="btn btn-small btn-ghost" onClick=${() => notices.set({ update: null })}>${t('later')}</button>
    </div>`}
    ${value.done && html`<div class="notice notice-ok" data-testid="done-notice">${value.done}</div>`}
    ${value.offlineReady && html`<div class="notice notice-ok">
      <span>${t('offline_ready')}</span>
      <button class="btn btn-small btn-ghost" onClick=${() => notices.set({ offlineReady: false })}>✕</button>
    </div>`}
    ${storage.writable === false && html`<div class="notice notice-error">${t('storage_unavailable')}</div>`}
    ${low && html`<div class="notice notice-warn">${t('storage_warning',
      { used: formatBytes(estimate.usage), quota: formatBytes(estimate.quota) })}</div>`}
    ${value.dbBlocked && html`<div class="notice notice-warn">${t('db_blocked')}</div>`}
    ${value.dbReload && html`<div class="notice notice-update">
      <span>${t('db_reload')}</span>
      <button class="btn btn-small" onClick=${() => window.location.reload()}>${t('reload')}</button>
    </div>`}
    ${value.error && html`<div class="notice notice-error">${value.error}
      <button class="btn btn-small btn-ghost" onClick=${() => notices.set({ error: null })}>✕</button></div>`}
  </div>`;
}

/** Visible on every screen: online state, what is waiting, upload progress, last sync. */
function SyncBar() {
  const s = useSyncStatus();
  const [, tick] = useState(0);
  useEffect(() => { const id = setInterval(() => tick((n) => n + 1), 1000); return () => clearInterval(id); }, []);
  const state = s.running ? t('syncing') : s.online === null ? t('checking') : s.online ? t('online') : t('offline');
  const retryIn = s.nextRetryAt ? Math.max(0, Math.round((s.nextRetryAt - Date.now()) / 1000)) : null;
  const showProgress = s.bytesTotal > 0;
  return html`<section class="syncbar" aria-label=${t('outbox')} data-testid="syncbar">
    <div class="syncbar-row">
      <span class=${`dot ${s.online ? 'dot-on' : 'dot-off'}`} aria-hidden="true"></span>
      <span data-testid="net-state">${state}</span>
      <span class="syncbar-counts" data-testid="pending">
        ${t('pending_records', { n: s.pendingRecords })} · ${t('pending_photos', { n: s.pendingPhotos })}
        ${s.pendingEvents > 0 && html` · <span data-testid="pending-events">${t('pending_events', { n: s.pendingEvents })}</span>`}
      </span>
      <button class="btn btn-small" onClick=${() => sync.syncNow({ manual: true })}
        data-testid="sync-now">${t('sync_now')}</button>
    </div>
    ${showProgress && html`<div class="progress">
      <progress max=${s.bytesTotal} value=${Math.min(s.bytesSent, s.bytesTotal)}
        aria-label=${t('uploaded_bytes', { sent: formatBytes(s.bytesSent), total: formatBytes(s.bytesTotal) })}></progress>
      <span class="small">${t('uploaded_bytes', { sent: formatBytes(s.bytesSent), total: formatBytes(s.bytesTotal) })}</span>
    </div>`}
    <div class="small syncbar-meta">
      <span data-testid="last-sync">${s.lastSync ? t('last_sync', { time: formatTime(s.lastSync) }) : t('never_synced')}</span>
      ${retryIn !== null && !s.running && !s.online && html` · <span>${t('next_retry', { s: retryIn })}</span>`}
      ${s.authExpired && html` · <strong>${t('action_relogin')}</strong>`}
    </div>
  </section>`;
}

function Login({ onLogin, onLanguage }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    setError(null);
    try {
      const deviceId = await deviceIdentifier();
      const data = await api('/api/auth/login', { method: 'POST', json: {
        username: form.get('username'), password: form.get('password'), device: `PWA ${deviceId.slice(0, 8)}`,
      } });
      const saved = { token: data.token, expires_at: data.expires_at, user: data.user,
        propertyId: (data.user.properties[0] || {}).property_id || null };
      if (isOtherUser(data.user.username)) {
        await pulled.forgetPulledData();
        switchUser(data.user.username);
      }
      saveSession(saved);
      await onLogin(saved);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('login_offline'));
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="screen login">
    <header class="topbar"><h1>${t('app')}</h1>
      <button class="btn btn-small btn-ghost" onClick=${onLanguage} lang=${getLanguage() === 'en' ? 'zh-CN' : 'en'}>${t('language')}</button>
    </header>
    <form onSubmit=${submit} class="card">
      <label class="field">${t('username')}
        <input name="username" autocomplete="username" required autocapitalize="none" /></label>
      <label class="field">${t('password')}
        <input name="password" type="password" autocomplete="current-password" required /></label>
      ${error && html`<p class="error" role="alert">${t('login_failed')}: ${error}</p>`}
      <button class="btn btn-primary btn-block" type="submit" disabled=${busy}>${t('login')}</button>
    </form>
  </main>`;
}
