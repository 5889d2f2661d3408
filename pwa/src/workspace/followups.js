// Follow-ups (整改) for supervisors: the list, raising one by hand, and the detail with its
// steps (contact, callback, verify, reopen). Online screens: they read the API directly.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../shared/api.js';
import { formatTime, t } from '../shared/i18n.js';
import { isSupervising } from '../shared/roles.js';
import { hashQuery, queryString } from '../shared/router.js';
import { addDays, isoNow, todayIso } from '../shared/time.js';
import { AuthImage, propertyName } from './common.js';

function StatusBadges({ f }) {
  return html`<span class=${`badge ${f.status === 'verified' ? 'badge-ok' : f.overdue ? 'badge-error' : 'badge-todo'}`}
      data-testid="fu-status">${t(`fu_${f.status}`)}${f.overdue ? ` · ${t('overdue')}` : ''}</span>
    ${f.needs_contact && html`<span class="badge badge-error" data-testid="fu-needs-contact">${t('fu_needs_contact')}</span>`}`;
}

export function FollowUps({ session }) {
  const initial = hashQuery();
  const [filters, setFilters] = useState({ status: '', property_id: '', overdue: '', mine: '', ...initial });
  const [page, setPage] = useState(1);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [properties, setProperties] = useState([]);
  const [raising, setRaising] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => { api('/api/properties').then(setProperties).catch(() => {}); }, []);
  useEffect(() => {
    let cancelled = false;
    api(`/api/followups?${queryString({ ...filters, page, per_page: 30 })}`)
      .then((value) => { if (!cancelled) { setData(value); setError(null); } })
      .catch((err) => !cancelled && setError(err.message));
    return () => { cancelled = true; };
  }, [filters, page, tick]);
  const set = (name) => (event) => {
    setPage(1);
    setFilters({ ...filters, [name]: event.target.type === 'checkbox' ? (event.target.checked ? 'true' : '')
      : event.target.value });
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / data.per_page)) : 1;
  const supervising = isSupervising(session.user);
  return html`<main class="screen screen-wide" data-testid="followups">
    <header class="topbar"><h1>${t('fu_list')}</h1>
      ${supervising && html`<button class="btn btn-small" onClick=${() => setRaising(!raising)} data-testid="fu-raise">
        ${t('fu_raise')}</button>`}</header>
    ${raising && html`<${RaiseFollowUp} properties=${properties}
      onDone=${() => { setRaising(false); setTick(tick + 1); }} />`}
    <div class="card filter-grid">
      <label class="field">${t('property')}<select value=${filters.property_id} onChange=${set('property_id')}>
        <option value="">${t('all')}</option>
        ${properties.map((p) => html`<option value=${p.id}>${propertyName(p)}</option>`)}</select></label>
      <label class="field">${t('status')}<select value=${filters.status} onChange=${set('status')} data-testid="fu-f-status">
        <option value="">${t('all')}</option>
        ${['open', 'fixed', 'verified'].map((s) => html`<option value=${s}>${t(`fu_${s}`)}</option>`)}</select></label>
      <label class="check"><input type="checkbox" checked=${!!filters.overdue} onChange=${set('overdue')} />
        ${t('fu_overdue_only')}</label>
      <label class="check"><input type="checkbox" checked=${!!filters.mine} onChange=${set('mine')} /> ${t('fu_mine')}</label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data ? html`<p class="muted">${t('loading')}</p>` : html`
      ${!data.items.length && html`<p class="muted">${t('no_follow_ups_all')}</p>`}
      <ul class="list card" data-testid="fu-list">${data.items.map((f) => html`<li>
        <a class=${`row-button ${f.overdue ? 'row-overdue' : ''}`} href=${`#/followup/${f.id}`} data-testid="fu-row"
            data-followup-id=${f.id}>
          <span class="row-main">${f.description}<br /><span class="small">${f.subject_label}
            · ${f.assignee.display_name} · ${t('due_by', { date: f.due_date })}
            · ${propertyName(properties.find((p) => p.id === f.property_id))}</span></span>
          <span class="badges"><${StatusBadges} f=${f} /></span></a></li>`)}</ul>
      <div class="pager">
        <button class="btn btn-small" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>${t('prev')}</button>
        <span class="small">${t('page_of', { page, pages })}</span>
        <button class="btn btn-small" disabled=${page >= pages} onClick=${() => setPage(page + 1)}>${t('next')}</button>
      </div>`}
  </main>`;
}

function RaiseFollowUp({ properties, onDone }) {
  const [propertyId, setPropertyId] = useState(properties[0] ? String(properties[0].id) : '');
  const [people, setPeople] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [id] = useState(() => crypto.randomUUID());  // a retry after a lost answer is the same follow-up
  useEffect(() => {
    if (!propertyId) return;
    api(`/api/users?property_id=${propertyId}`).then(setPeople).catch(() => setPeople([]));
  }, [propertyId]);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    setBusy(true);
    try {
      await api(`/api/followups/${id}`, { method: 'PUT', json: {
        property_id: Number(propertyId), description: form.get('description'),
        assignee_id: Number(form.get('assignee_id')), due_date: form.get('due_date'),
        subject_label: form.get('subject_label') || undefined } });
      onDone();
    } catch (err) { setError(err.message); } finally { setBusy(false); }
  };
  const week = addDays(todayIso(), 3);
  return html`<form class="card" onSubmit=${submit} data-testid="fu-raise-form">
    <h2>${t('fu_raise')}</h2>
    <label class="field">${t('property')}<select value=${propertyId} onChange=${(e) => setPropertyId(e.target.value)}
        name="property_id">${properties.map((p) => html`<option value=${p.id}>${propertyName(p)}</option>`)}</select></label>
    <label class="field">${t('fu_subject')}<input name="subject_label" maxlength="100" data-testid="fu-subject" /></label>
    <label class="field">${t('fu_description')}<textarea name="description" required maxlength="2000" rows="2"
      data-testid="fu-description"></textarea></label>
    <label class="field">${t('fu_assignee')}<select name="assignee_id" required data-testid="fu-assignee">
      ${people.map((u) => html`<option value=${u.id} data-username=${u.username}>${u.display_name}</option>`)}</select></label>
    <label class="field">${t('fu_due')}<input type="date" name="due_date" required value=${week} data-testid="fu-due" /></label>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button class="btn btn-primary btn-block" type="submit" disabled=${busy} data-testid="fu-save">${t('fu_save')}</button>
  </form>`;
}

const ACTIONS = ['contact', 'callback', 'verify', 'reopen'];

export function FollowUpView({ id, session }) {
  const [f, setF] = useState(null);
  const [error, setError] = useState(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const load = () => api(`/api/followups/${id}`).then((value) => { setF(value); setError(null); })
    .catch((err) => setError(err.message));
  useEffect(() => { load(); }, [id]);
  const act = async (action) => {
    if (action !== 'verify' && !note.trim()) { setError(t('note_required')); return; }
    if (action === 'verify' && !f.has_callback) { setError(t('verify_needs_callback')); return; }
    setBusy(true);
    try {
      setF(await api(`/api/followups/${id}/events`, { method: 'POST', json: {
        id: crypto.randomUUID(), action, note: note.trim() || null, at: isoNow() } }));
      setNote('');
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err.message));
    } finally { setBusy(false); }
  };
  if (!f) return html`<main class="screen">${error ? html`<p class="error">${error}</p>` : html`<p class="boot">${t('loading')}</p>`}</main>`;
  const allowed = {
    contact: f.status !== 'verified',
    callback: f.status !== 'open',
    verify: isSupervising(session.user) && f.status === 'fixed',
    reopen: isSupervising(session.user) && f.status !== 'open',
  };
  const canFix = f.status === 'open' && (f.assignee.id === session.user.id || isSupervising(session.user));
  return html`<main class="screen" data-testid="followup" data-followup-id=${f.id}>
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/followups">‹ ${t('back')}</a>
      <h1>${t('fu_list')}</h1></header>
    <section class="card">
      <p><strong>${f.description}</strong></p>
      <p class="small">${f.subject_label} · ${f.assignee.display_name} · ${t('due_by', { date: f.due_date })}</p>
      <p><${StatusBadges} f=${f} /></p>
      ${f.inspection_id && html`<p><a href=${`#/record/${f.inspection_id}`}>${t('record')}</a></p>`}
      ${canFix && html`<a class="btn btn-block" href=${`#/fix/${f.id}`} data-testid="fu-fix">${t('fu_fix')}</a>`}
    </section>
    <section class="card"><h2>${t('fu_events')}</h2>
      <ol class="timeline" data-testid="fu-events">${f.events.map((e) => html`<li data-action=${e.action}>
        <span class="small">${formatTime(e.at || e.created_at)}</span> <strong>${t(`ev_${e.action}`)}</strong>
        · ${e.actor.display_name}${e.note && html`<br />${e.note}`}
        ${e.photos && e.photos.length > 0 && html`<div class="thumbs">${e.photos.map((p) => html`
          <${AuthImage} sha256=${p.sha256} alt=${t('photos')} />`)}</div>`}</li>`)}</ol>
    </section>
    ${f.status !== 'verified' || allowed.reopen ? html`<section class="card">
      <label class="field">${t('fu_note')}<textarea rows="2" value=${note} onInput=${(e) => setNote(e.target.value)}
        data-testid="fu-note"></textarea></label>
      ${error && html`<p class="error" role="alert" data-testid="fu-error">${error}</p>`}
      <div class="actions">${ACTIONS.filter((a) => allowed[a]).map((a) => html`<button
        class=${`btn ${a === 'verify' ? 'btn-primary' : ''}`} disabled=${busy} onClick=${() => act(a)}
        data-testid=${`fu-${a}`}>${t(`do_${a}`)}</button>`)}</div>
    </section>` : ''}
  </main>`;
}

