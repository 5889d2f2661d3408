// The app shell: login, home (property switcher, due list, drafts, outbox, returned records,
// follow-ups), new-inspection picker, and the sync status bar shown on every screen.
import { html } from 'htm/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, api, setToken } from './api.js';
import * as store from './db.js';
import { ChecklistForm, afterPaint, createDraft } from './form.js';
import { formatBytes, formatTime, getLanguage, setLanguage, t, tx } from './i18n.js';
import { notices } from './notices.js';
import { isoNow } from './photos.js';
import { clearSession, loadDueSnapshot, loadSession, saveLanguage, saveSession } from './session.js';
import * as sync from './sync.js';
import { FixFollowUp, FollowUpView, FollowUps } from './followups.js';
import { Compliance, RecordView, Records, SUPERVISING, WorkspaceNav } from './workspace.js';


function useNotices() {
  const [value, setValue] = useState(notices.value);
  useEffect(() => { notices.listeners.add(setValue); return () => notices.listeners.delete(setValue); }, []);
  return value;
}

export function useSyncStatus() {
  const [value, setValue] = useState({ ...sync.status });
  useEffect(() => sync.subscribe(setValue), []);
  return value;
}

function useRoute() {
  const [hash, setHash] = useState(window.location.hash || '#/');
  useEffect(() => {
    const onChange = () => setHash(window.location.hash || '#/');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash.slice(1).split('?')[0].split('/').filter(Boolean);
}

export const go = (path) => { window.location.hash = path; };

export function App() {
  const [session, setSession] = useState(() => {
    const saved = loadSession();
    if (saved) { setToken(saved.token); sync.setSession(saved); }
    return saved;
  });
  const [, setLang] = useState(getLanguage());
  const route = useRoute();

  useEffect(() => {
    // After the first screen is drawn: storage check, counts and the first sync attempt.
    setTimeout(() => {
      deviceIdentifier();
      store.checkStorage().then((storage) => notices.set({ storage }));
      sync.refreshCounts();
      if (session) sync.startSyncTriggers();
    }, 50);
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
    await sync.startSyncTriggers();
  };

  const onLogout = async () => {
    await sync.refreshCounts();
    if (sync.status.pendingRecords && !window.confirm(t('logout_pending'))) return;
    try { await api('/api/auth/logout', { method: 'POST' }); } catch (error) { /* offline: token expires */ }
    clearSession();
    await store.kvDelete('cursor');
    setToken(null);
    sync.setSession(null);
    setSession(null);
  };

  const top = html`<${Notices} />`;
  if (!session) return html`${top}<${Login} onLogin=${onLogin} onLanguage=${switchLanguage} />`;
  let screen;
  const supervising = SUPERVISING.has(session.user.role);
  if (route[0] === 'fix' && route[1]) {
    screen = html`<${FixFollowUp} key=${route[1]} id=${route[1]} session=${session} />`;
  } else if (route[0] === 'followup' && route[1]) {
    screen = html`<${FollowUpView} key=${route[1]} id=${route[1]} session=${session} />`;
  } else if (supervising && route[0] === 'records') {
    screen = html`<${Records} key=${window.location.hash} />`;
  } else if (supervising && route[0] === 'record' && route[1]) {
    screen = html`<${RecordView} key=${route[1]} id=${route[1]} session=${session} pdfAvailable=${true} />`;
  } else if (supervising && route[0] === 'followups') {
    screen = html`<${FollowUps} session=${session} />`;
  } else if (supervising && route[0] === 'compliance') {
    screen = html`<${Compliance} />`;
  } else if (route[0] === 'form' && route[1]) {
    screen = html`<${ChecklistForm} key=${route[1]} id=${route[1]} session=${session} />`;
  } else if (route[0] === 'new') {
    screen = html`<${NewInspection} session=${session} />`;
  } else {
    screen = html`<${Home} session=${session} onLogout=${onLogout} onLanguage=${switchLanguage} />`;
  }
  const nav = supervising && html`<${WorkspaceNav} active=${route[0] === 'record' ? 'records'
    : route[0] === 'followup' ? 'followups' : route[0] || 'home'} />`;
  return html`${top}<${SyncBar} />${nav}${screen}`;
}

function Notices() {
  const value = useNotices();
  const sync_ = useSyncStatus();
  const storage = value.storage || {};
  const [estimate, setEstimate] = useState(null);
  useEffect(() => { store.storageEstimate().then(setEstimate); }, [sync_.pendingPhotos, value.storageTick]);
  const low = estimate && store.storageLow(estimate);
  return html`<div class="notices" role="status" aria-live="polite">
    ${value.update && html`<div class="notice notice-update">
      <span>${t('update_available')}</span>
      <button class="btn btn-small" onClick=${value.update}>${t('update_now')}</button>
      <button class="btn btn-small btn-ghost" onClick=${() => notices.set({ update: null })}>${t('later')}</button>
    </div>`}
    ${value.offlineReady && html`<div class="notice notice-ok">
      <span>${t('offline_ready')}</span>
      <button class="btn btn-small btn-ghost" onClick=${() => notices.set({ offlineReady: false })}>✕</button>
    </div>`}
    ${storage.writable === false && html`<div class="notice notice-error">${t('storage_unavailable')}</div>`}
    ${low && html`<div class="notice notice-warn">${t('storage_warning',
      { used: formatBytes(estimate.usage), quota: formatBytes(estimate.quota) })}</div>`}
    ${value.error && html`<div class="notice notice-error">${value.error}
      <button class="btn btn-small btn-ghost" onClick=${() => notices.set({ error: null })}>✕</button></div>`}
  </div>`;
}

/** Visible on every screen: online state, what is waiting, upload progress, last sync. */
export function SyncBar() {
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
      <button class="btn btn-small" onClick=${() => sync.syncNow({ manual: true })} disabled=${s.running}
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
      if (localStorage.getItem('xuncha.lastUser') !== data.user.username) {
        await store.forgetPulledData();
        localStorage.removeItem('xuncha.due');
        localStorage.setItem('xuncha.lastUser', data.user.username);
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

let deviceId = null;
export async function deviceIdentifier() {
  if (deviceId) return deviceId;
  let id = await store.kvGet('deviceId');
  if (!id) {
    id = crypto.randomUUID();
    await store.kvSet('deviceId', id);
  }
  deviceId = id;
  return id;
}

/** Everything Home shows, read from IndexedDB; reloads after each sync. */
function useHomeData(propertyId) {
  const s = useSyncStatus();
  const [data, setData] = useState(() => {
    const due = loadDueSnapshot();
    return due && { due: due.filter((d) => d.property_id === propertyId), records: [], returned: [],
      followUps: [], events: [], followUpsAvailable: false, partial: true };
  });
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const [due, records, returned, followUps, events, followUpsAvailable] = await store.readMany(
        ['due', 'records', 'returned', 'follow_ups', 'followup_events'], 'followUpsAvailable');
      if (!cancelled) {
        setData({ due: due.filter((d) => d.property_id === propertyId), records, returned,
          followUps, events, followUpsAvailable });
      }
    })();
    return () => { cancelled = true; };
  }, [propertyId, s.pendingRecords, s.pendingEvents, s.lastSync, s.running, s.pulledAt]);
  return data;
}

function Home({ session, onLogout, onLanguage }) {
  const [propertyId, setPropertyId] = useState(session.propertyId);
  const data = useHomeData(propertyId);
  const memberships = session.user.properties || [];
  // For bench/pwa_bench.py: when the due list is on screen and usable.
  useEffect(() => { if (data) afterPaint(() => performance.mark('xuncha:due-ready')); }, [!!data]);
  const changeProperty = async (event) => {
    const id = Number(event.target.value);
    setPropertyId(id);
    session.propertyId = id;
    saveSession({ ...session, propertyId: id });
  };
  if (!data) return html`<p class="boot">${t('loading')}</p>`;
  const drafts = data.records.filter((r) => r.state === 'draft' && r.property_id === propertyId);
  const outbox = data.records.filter((r) => r.state === 'outbox' || r.state === 'rejected');
  const lang = getLanguage();
  return html`<main class="screen home">
    <header class="topbar">
      <h1>${t('app')}</h1>
      <span class="small who">${session.user.display_name}</span>
      <button class="btn btn-small btn-ghost" onClick=${onLanguage} lang=${getLanguage() === 'en' ? 'zh-CN' : 'en'}>${t('language')}</button>
      <button class="btn btn-small btn-ghost" onClick=${onLogout}>${t('logout')}</button>
    </header>
    <label class="field property-switcher">${t('property')}
      <select value=${propertyId} onChange=${changeProperty} data-testid="property">
        ${memberships.map((m) => html`<option value=${m.property_id}>${lang === 'en' && m.name_en ? m.name_en : m.name}</option>`)}
      </select>
    </label>
    <button class="btn btn-primary btn-block" onClick=${() => go(`/new/${propertyId}`)} data-testid="new-inspection">
      ${t('new_inspection')}</button>

    <section class="card" aria-labelledby="due-h">
      <h2 id="due-h">${t('due_today')}</h2>
      ${!data.due.length && html`<p class="muted">${sync.status.lastSync ? t('no_due') : t('due_unavailable')}</p>`}
      <ul class="list" data-testid="due-list">
        ${data.due.map((entry) => html`<li>
          <button class="row-button" onClick=${() => startFromDue(entry, session)}>
            <span class="row-main">${tx(entry.label)}<br /><span class="small">${entry.subject && entry.subject.label}</span></span>
            <span class=${`badge ${entry.done >= entry.required ? 'badge-ok' : 'badge-todo'}`}>
              ${entry.done >= entry.required ? t('done') : t('not_done')} ${entry.done}/${entry.required}</span>
          </button></li>`)}
      </ul>
    </section>

    ${data.partial ? html`<p class="muted">${t('loading')}</p>` : html`
    <section class="card" aria-labelledby="drafts-h">
      <h2 id="drafts-h">${t('drafts')}</h2>
      ${!drafts.length && html`<p class="muted">${t('no_drafts')}</p>`}
      <ul class="list" data-testid="drafts">${drafts.map((r) => html`<li>
        <a class="row-button" href=${`#/form/${r.id}`}><span class="row-main">${tx(r.title)}<br />
          <span class="small">${r.subject_label} · ${t('started', { time: formatTime(r.started_at) })}</span></span></a></li>`)}
      </ul>
    </section>

    <${Outbox} records=${outbox} />

    <section class="card" aria-labelledby="ret-h">
      <h2 id="ret-h">${t('returned')}</h2>
      ${!data.returned.length && html`<p class="muted">${t('no_returned')}</p>`}
      <ul class="list" data-testid="returned">${data.returned.map((r) => html`<li>
        <button class="row-button" onClick=${() => reopenReturned(r, session)}>
          <span class="row-main">${r.checklist && r.checklist.code} · ${r.subject_label || (r.subject && (r.subject.label || r.subject.id))}
            <br /><span class="small">${t('revision', { n: r.revision })} ${reviewComment(r)}</span></span></button></li>`)}
      </ul>
    </section>

    <section class="card" aria-labelledby="fu-h">
      <h2 id="fu-h">${t('follow_ups')}</h2>
      ${!data.followUpsAvailable && html`<p class="muted">${t('follow_ups_unavailable')}</p>`}
      ${data.followUpsAvailable && !data.followUps.length && html`<p class="muted">${t('no_follow_ups')}</p>`}
      <ul class="list" data-testid="follow-ups">${data.followUps
        .filter((f) => !f.property_id || f.property_id === propertyId)
        .sort((a, b) => String(a.due_date).localeCompare(String(b.due_date)))
        .map((f) => {
          const queued = data.events.find((e) => e.follow_up_id === f.id);
          return html`<li class="row-static" data-testid="follow-up" data-followup-id=${f.id}>
          <span class="row-main">${f.description}<br />
            <span class="small">${f.subject_label} · ${t('due_by', { date: f.due_date })}</span></span>
          ${queued ? html`<span class=${`badge ${queued.state === 'rejected' ? 'badge-error' : 'badge-todo'}`}
              data-testid="fu-queued">${t('fu_fix')} · ${queued.state === 'rejected' ? t('event_rejected') : t('fu_pending')}</span>`
            : html`<span class=${`badge ${f.status === 'fixed' ? 'badge-ok' : overdue(f) ? 'badge-error' : 'badge-todo'}`}
              data-testid="fu-state">${t(`fu_${f.status}`)}${overdue(f) ? ` · ${t('overdue')}` : ''}</span>`}
          ${queued && queued.state === 'rejected' && html`<div class="record-error" role="alert">
            <p><strong>${queued.error && queued.error.message}</strong></p>
            <div class="actions"><button class="btn btn-small" onClick=${() => sync.retryFollowUpEvent(queued.id)}>
              ${t('retry')}</button><button class="btn btn-small" onClick=${() => sync.retryFollowUpEvent(queued.id,
                { discard: true })}>${t('discard')}</button></div></div>`}
          ${!queued && f.status === 'open' && html`<a class="btn btn-small" href=${`#/fix/${f.id}`}
            data-testid="fu-fix">${t('fu_fix')}</a>`}</li>`;
        })}
      </ul>
    </section>`}
  </main>`;
}

const overdue = (f) => f.status === 'open' && f.due_date && f.due_date < new Date().toISOString().slice(0, 10);

/** The supervisor's latest "return" step: overall comment and what to fix per item. */
export function lastReturn(record) {
  const steps = (record.reviews || []).filter((r) => r.action === 'return');
  return steps[steps.length - 1] || null;
}

function reviewComment(record) {
  const step = lastReturn(record);
  return step && step.comment ? `· ${t('review_comment')}: ${step.comment}` : '';
}

function Outbox({ records }) {
  return html`<section class="card" aria-labelledby="outbox-h" data-testid="outbox">
    <h2 id="outbox-h">${t('outbox')}</h2>
    ${!records.length && html`<p class="muted" data-testid="outbox-empty">${t('outbox_empty')}</p>`}
    <ul class="list">${records.map((r) => html`<li class="row-static" data-testid="outbox-record">
      <a class="row-main" href=${`#/form/${r.id}`}>${tx(r.title)} · ${r.subject_label}</a>
      <span class=${`badge ${r.state === 'rejected' ? 'badge-error' : 'badge-todo'}`}>
        ${r.state === 'rejected' ? t('status_rejected') : t('status_outbox')}</span>
      ${r.error && html`<div class="record-error" role="alert">
        <p>${t('rejected_help')}</p>
        <p><strong>${r.error.message}</strong> <span class="small">(${r.error.code})</span></p>
        ${Object.entries((r.error.details && r.error.details.items) || {}).map(([item, messages]) =>
          html`<p class="small">${item}: ${[].concat(messages).join('；')}</p>`)}
        <p>${t(r.error.action)}</p>
        <div class="actions">
          ${r.error.action === 'action_reopen' && html`<button class="btn btn-small" onClick=${() => reopenRefused(r)}>
            ${t('action_reopen')}</button>`}
          <button class="btn btn-small" onClick=${() => sync.retryRecord(r.id)}>${t('retry')}</button>
        </div></div>`}
    </li>`)}</ul>
  </section>`;
}

/** A refused record goes back to being a draft: signatures are removed, so it must be signed again. */
async function reopenRefused(record) {
  await store.put('records', { ...record, state: 'draft', seal: null, completed_at: null, error: null,
    answers: withoutSignatures(record.answers) });
  await sync.refreshCounts();
  go(`/form/${record.id}`);
}

function withoutSignatures(answers) {
  return Object.fromEntries(Object.entries(answers || {}).filter(([, a]) => !(a && a.signature)));
}

async function findChecklist(code, version) {
  const all = await store.getAll('checklists');
  return all.find((c) => c.code === code && c.version === version)
    || all.filter((c) => c.code === code).sort((a, b) => b.version - a.version)[0];
}

async function startFromDue(entry, session) {
  if (entry.subject.id == null) {  // a share of the households: pick which one
    go(`/new/${entry.property_id}/${entry.checklist_code}`);
    return;
  }
  const records = await store.getAll('records');
  const existing = records.find((r) => r.state === 'draft' && r.checklist.code === entry.checklist_code
    && r.subject.type === entry.subject.type && r.subject.id === entry.subject.id);
  if (existing) { go(`/form/${existing.id}`); return; }
  const checklist = await findChecklist(entry.checklist_code, entry.checklist_version);
  if (!checklist) { notices.set({ error: t('no_checklists') }); return; }
  const record = await createDraft({ checklist, propertyId: entry.property_id, subject: entry.subject,
    subjectLabel: entry.subject.label, session, deviceId: await deviceIdentifier() });
  go(`/form/${record.id}`);
}

async function reopenReturned(returned, session) {
  const local = await store.get('records', returned.id);
  if (!local) {
    const checklist = await findChecklist(returned.checklist.code, returned.checklist.version);
    await store.put('records', {
      id: returned.id, state: 'draft', revision: returned.revision,
      property_id: returned.property_id, checklist: returned.checklist, subject: returned.subject,
      subject_label: returned.subject.label || String(returned.subject.id),
      title: checklist ? { 'zh-CN': checklist.title_zh, en: checklist.title_en } : returned.checklist.code,
      answers: withoutSignatures(returned.answers), started_at: returned.started_at || isoNow(),
      review: lastReturn(returned),
      inspector: session.user.username, device_id: await deviceIdentifier(), updated_at: isoNow(),
    });
  }
  go(`/form/${returned.id}`);
}

/** Pick a checklist and what it is about: an active renovation, a unit (search), or the property. */
function NewInspection({ session }) {
  const route = useRoute();
  const propertyId = Number(route[1]) || session.propertyId;
  const [checklists, setChecklists] = useState(null);
  const [code, setCode] = useState(route[2] || '');
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState([]);
  const [property, setProperty] = useState(null);
  useEffect(() => {
    (async () => {
      const all = await store.getAll('checklists');
      const latest = {};
      for (const c of all) if (!latest[c.code] || latest[c.code].version < c.version) latest[c.code] = c;
      setChecklists(Object.values(latest));
      setProperty(await store.get('properties', propertyId));
    })();
  }, [propertyId]);
  const checklist = (checklists || []).find((c) => c.code === code);
  const subjectType = checklist && (checklist.subject || checklist.definition.subject);
  useEffect(() => {
    (async () => {
      if (subjectType === 'renovation') {
        setRows((await store.getAllFor('renovations', propertyId)).filter((r) => r.status === 'active')
          .map((r) => ({ id: r.id, label: `${r.unit_label} · ${r.contractor_name}` })));
      } else if (subjectType === 'unit') {
        setRows((await store.getAllFor('units', propertyId)).map((u) => ({ id: u.id, label: u.label,
          search: `${u.building} ${u.entrance} ${u.room} ${u.label} ${u.owner_name || ''}` })));
      } else setRows([]);
    })();
  }, [subjectType, propertyId]);
  const matches = useMemo(() => {
    const words = query.trim().toLowerCase().split(/[\s,，]+/).filter(Boolean);
    return rows.filter((row) => words.every((w) => (row.search || row.label).toLowerCase().includes(w))).slice(0, 50);
  }, [rows, query]);
  const start = async (subject, subjectLabel) => {
    const record = await createDraft({ checklist, propertyId, subject, subjectLabel, session,
      deviceId: await deviceIdentifier() });
    go(`/form/${record.id}`);
  };
  if (!checklists) return html`<p class="boot">${t('loading')}</p>`;
  const propertyName = property ? property.name : '';
  return html`<main class="screen">
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/">‹ ${t('back')}</a><h1>${t('new_inspection')}</h1></header>
    ${!checklists.length && html`<p class="muted">${t('no_checklists')}</p>`}
    <label class="field">${t('checklist')}
      <select value=${code} onChange=${(e) => setCode(e.target.value)} data-testid="checklist-select">
        <option value="">${t('choose')}</option>
        ${checklists.map((c) => html`<option value=${c.code}>${getLanguage() === 'en' ? c.title_en : c.title_zh}</option>`)}
      </select></label>
    ${checklist && (subjectType === 'property' || subjectType === 'key_register') && html`
      <button class="btn btn-primary btn-block" onClick=${() => start({ type: subjectType, id: propertyId }, propertyName)}>
        ${t('start')} · ${propertyName}</button>`}
    ${checklist && (subjectType === 'renovation' || subjectType === 'unit') && html`
      <label class="field">${subjectType === 'unit' ? t('search_unit') : t('pick_subject')}
        <input type="search" value=${query} onInput=${(e) => setQuery(e.target.value)} data-testid="subject-search" /></label>
      ${!matches.length && html`<p class="muted">${t('no_match')}</p>`}
      <ul class="list" data-testid="subject-list">${matches.map((row) => html`<li>
        <button class="row-button" onClick=${() => start({ type: subjectType, id: row.id }, row.label)}>
          <span class="row-main">${row.label}</span><span aria-hidden="true">›</span></button></li>`)}
      </ul>`}
  </main>`;
}
