// Follow-ups (整改) and work orders (工单) for supervisors: the list, raising one by hand, and the
// detail with its steps (contact record, callback with the owner's satisfaction, approval of a
// missing key, verify, reopen). Online screens: they read the API directly.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../shared/api.js';
import { formatTime, t } from '../shared/i18n.js';
import { isSupervising, mayAcknowledge } from '../shared/roles.js';
import { hashQuery, queryString } from '../shared/router.js';
import { addDays, isoNow, todayIso } from '../shared/time.js';
import { AuthImage, propertyName, useCached, ZoneNote, zoneOf } from './common.js';

/** "4栋1单元102 · 李巡查 · 期限 …": the parts there are (a work order may have no unit). */
const metaLine = (...parts) => parts.filter(Boolean).join(' · ');

function StatusBadges({ f }) {
  return html`<span class=${`badge ${f.status === 'verified' ? 'badge-ok' : f.overdue ? 'badge-error' : 'badge-todo'}`}
      data-testid="fu-status">${t(`fu_${f.status}`)}${f.overdue ? ` · ${t('overdue')}` : ''}</span>
    ${f.days_late > 0 && html`<span class="badge badge-error" data-testid="fu-days-late">${t('wo_days_late', { n: f.days_late })}</span>`}
    ${f.needs_contact && html`<span class="badge badge-error" data-testid="fu-needs-contact">${t('fu_needs_contact')}</span>`}
    ${f.group_risk && html`<span class="badge badge-error" data-testid="fu-group-risk">${t('wo_group_risk')}</span>`}`;
}

export function FollowUps({ session }) {
  const initial = hashQuery();
  const [filters, setFilters] = useState({ status: '', property_id: '', overdue: '', mine: '', work_orders: '', ...initial });
  const [counts, setCounts] = useState(null);
  useEffect(() => { api('/api/followups/notices').then(setCounts).catch(() => {}); }, []);
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
      <a class="btn btn-small" href=${`#/order/${filters.property_id || (properties[0] && properties[0].id) || ''}`}
        data-testid="wo-new">${t('wo_new')}</a>
      <a class="btn btn-small" href="#/order-figures" data-testid="wo-figures">${t('wo_figures')}</a>
      ${supervising && html`<button class="btn btn-small" onClick=${() => setRaising(!raising)} data-testid="fu-raise">
        ${t('fu_raise')}</button>`}</header>
    ${counts && html`<p class="small" data-testid="notice-counts">${t('wo_counts', counts)}</p>`}
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
      <label class="check"><input type="checkbox" checked=${!!filters.work_orders} onChange=${set('work_orders')}
        data-testid="fu-f-orders" /> ${t('wo_only')}</label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data ? html`<p class="muted">${t('loading')}</p>` : html`
      ${!data.items.length && html`<p class="muted">${t('no_follow_ups_all')}</p>`}
      <ul class="list card" data-testid="fu-list">${data.items.map((f) => html`<li>
        <a class=${`row-button ${f.overdue ? 'row-overdue' : ''}`} href=${`#/followup/${f.id}`} data-testid="fu-row"
            data-followup-id=${f.id}>
          <span class="row-main">${f.source === 'complaint' || f.source === 'repair' ? `${t(`wo_kind_${f.source}`)} · ` : ''}${f.description}<br /><span class="small">${metaLine(f.subject_label, f.assignee.display_name,
            t('due_by', { date: f.due_date }), propertyName(properties.find((p) => p.id === f.property_id)))}</span></span>
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
        subject_label: form.get('subject_label') || undefined,
        callback_required: form.get('callback_required') === 'on' } });
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
    <label class="check"><input type="checkbox" name="callback_required" data-testid="fu-owner" /> ${t('wo_owner_involved')}</label>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button class="btn btn-primary btn-block" type="submit" disabled=${busy} data-testid="fu-save">${t('fu_save')}</button>
  </form>`;
}

const ACTIONS = ['contact', 'callback', 'approve', 'assign', 'verify', 'reopen'];
const SATISFACTION = ['satisfied', 'basically_satisfied', 'dissatisfied'];
const CONTACT_METHODS = ['phone', 'visit', 'message'];

/** What one step needs besides a note, read from the form; null when something is missing. */
function stepDetails(action, form) {
  if (action === 'contact') {
    if (!form.contact_method) return { error: 'wo_pick_method' };
    return { contact_method: form.contact_method, contact_with: form.contact_with.trim() || null };
  }
  if (action === 'callback') {
    if (!form.satisfaction) return { error: 'wo_pick_satisfaction' };
    return { satisfaction: form.satisfaction };
  }
  if (action === 'assign') {
    if (!form.assignee_id && !form.due_date) return { error: 'wo_pick_assignee' };
    return { ...(form.assignee_id ? { assignee_id: Number(form.assignee_id) } : {}),
      ...(form.due_date ? { due_date: form.due_date } : {}) };
  }
  if (action === 'approve') {
    if (!form.responsible.trim()) return { error: 'wo_name_responsible' };
    return { responsible: form.responsible.trim() };
  }
  return {};
}

const EMPTY_FORM = { note: '', contact_method: '', contact_with: '', satisfaction: '', responsible: '',
  assignee_id: '', due_date: '' };

export function FollowUpView({ id, session }) {
  const [f, setF] = useState(null);
  const [error, setError] = useState(null);
  const [form, setForm] = useState(EMPTY_FORM);
  const [action, setAction] = useState('contact');
  const [busy, setBusy] = useState(false);
  const load = () => api(`/api/followups/${id}`).then((value) => { setF(value); setError(null); })
    .catch((err) => setError(err.message));
  const [people, setPeople] = useState([]);
  useEffect(() => { load(); }, [id]);
  const propertyId = f && f.property_id;
  const properties = useCached('/api/properties');
  const zone = zoneOf(properties, propertyId);
  useEffect(() => {
    if (propertyId && isSupervising(session.user)) {
      api(`/api/users?property_id=${propertyId}`).then(setPeople).catch(() => setPeople([]));
    }
  }, [propertyId]);
  const field = (name) => (event) => setForm({ ...form, [name]: event.target.value });
  const act = async (chosen) => {
    const note = form.note.trim();
    const details = stepDetails(chosen, form);
    if (details.error) { setError(t(details.error)); return; }
    const noteNeeded = chosen === 'contact' || chosen === 'reopen'
      || (chosen === 'callback' && form.satisfaction === 'dissatisfied');
    if (noteNeeded && !note) { setError(t('note_required')); return; }
    setBusy(true);
    try {
      setF(await api(`/api/followups/${id}/events`, { method: 'POST', json: {
        id: crypto.randomUUID(), action: chosen, note: note || null, at: isoNow(), ...details } }));
      setForm(EMPTY_FORM);
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err.message));
    } finally { setBusy(false); }
  };
  if (!f) return html`<main class="screen">${error ? html`<p class="error">${error}</p>` : html`<p class="boot">${t('loading')}</p>`}</main>`;
  const supervising = isSupervising(session.user);
  const allowed = {
    contact: f.status !== 'verified',
    callback: f.callback_required && f.status === 'fixed' && f.last_fixer_id !== session.user.id,
    approve: f.approval_required && !f.approved_at && mayAcknowledge(session.user),
    assign: supervising && f.status !== 'verified',
    verify: supervising && f.status === 'fixed',
    reopen: supervising && f.status !== 'open',
  };
  const offered = ACTIONS.filter((a) => allowed[a]);
  const current = offered.includes(action) ? action : offered[0];
  const canFix = f.status === 'open' && (f.assignee.id === session.user.id || supervising);
  const workOrder = f.source === 'complaint' || f.source === 'repair';
  return html`<main class="screen" data-testid="followup" data-followup-id=${f.id}>
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/followups">‹ ${t('back')}</a>
      <h1>${workOrder ? t(`wo_kind_${f.source}`) : t('fu_list')}</h1></header>
    <section class="card">
      <p><strong data-testid="fu-description">${f.description}</strong></p>
      <p class="small">${metaLine(f.subject_label, f.assignee.display_name, t('due_by', { date: f.due_date }),
        t('wo_found', { time: formatTime(f.found_at, zone) }))}</p>
      ${workOrder && html`<p class="small" data-testid="wo-details">${[t(`wo_cat_${f.category}`), t(`wo_channel_${f.channel}`),
        [f.caller_name, f.caller_phone].filter(Boolean).join(' ')].filter(Boolean).join(' · ')}</p>`}
      <p><${StatusBadges} f=${f} /></p>
      ${f.callback_required ? '' : html`<p class="small">${t('wo_no_callback')}</p>`}
      ${f.approval_required && html`<p class="small" data-testid="fu-approval">${f.approved_at
        ? t('wo_approved', { name: f.responsible_person }) : t('wo_needs_approval')}</p>`}
      ${f.inspection_id && html`<p><a href=${`#/record/${f.inspection_id}`}>${t('record')}</a></p>`}
      ${canFix && html`<a class="btn btn-block" href=${`#/fix/${f.id}`} data-testid="fu-fix">${t('fu_fix')}</a>`}
    </section>
    <section class="card"><h2>${t('fu_events')}</h2>
      <${ZoneNote} zones=${[zone]} />
      <ol class="timeline" data-testid="fu-events">${f.events.map((e) => html`<li data-action=${e.action}>
        <span class="small">${formatTime(e.at || e.created_at, zone)}</span> <strong>${t(`ev_${e.action}`)}</strong>
        · ${e.actor.display_name}
        ${e.satisfaction && html` · <span data-testid="ev-satisfaction">${t(`wo_sat_${e.satisfaction}`)}</span>`}
        ${e.contact_method && html` · ${t(`wo_method_${e.contact_method}`)}${e.contact_with ? ` · ${e.contact_with}` : ''}`}
        ${e.note && html`<br />${e.note}`}
        ${e.photos && e.photos.length > 0 && html`<div class="thumbs">${e.photos.map((p) => html`
          <${AuthImage} sha256=${p.sha256} alt=${t('photos')} />`)}</div>`}</li>`)}</ol>
    </section>
    ${offered.length ? html`<section class="card">
      <div class="actions" role="tablist">${offered.map((a) => html`<button role="tab" aria-selected=${a === current}
        class=${`btn btn-small ${a === current ? 'btn-primary' : ''}`} onClick=${() => { setAction(a); setError(null); }}
        data-testid=${`fu-pick-${a}`}>${t(`do_${a}`)}</button>`)}</div>
      ${current === 'contact' && html`
        <label class="field">${t('wo_method')}<select value=${form.contact_method} onChange=${field('contact_method')}
            data-testid="fu-contact-method"><option value="">—</option>
          ${CONTACT_METHODS.map((m) => html`<option value=${m}>${t(`wo_method_${m}`)}</option>`)}</select></label>
        <label class="field">${t('wo_contact_with')}<input value=${form.contact_with} onInput=${field('contact_with')}
          maxlength="100" data-testid="fu-contact-with" /></label>`}
      ${current === 'callback' && html`<fieldset class="field"><legend>${t('wo_satisfaction')}</legend>
        ${SATISFACTION.map((v) => html`<label class="check"><input type="radio" name="satisfaction" value=${v}
          checked=${form.satisfaction === v} onChange=${field('satisfaction')} data-testid=${`fu-sat-${v}`} />
          ${t(`wo_sat_${v}`)}</label>`)}</fieldset>`}
      ${current === 'assign' && html`
        <label class="field">${t('fu_assignee')}<select value=${form.assignee_id} onChange=${field('assignee_id')}
            data-testid="fu-assign-to"><option value="">—</option>
          ${people.map((u) => html`<option value=${u.id}>${u.display_name}</option>`)}</select></label>
        <label class="field">${t('fu_due')}<input type="date" value=${form.due_date} onChange=${field('due_date')}
          data-testid="fu-assign-due" /></label>`}
      ${current === 'approve' && html`<label class="field">${t('wo_responsible')}<input value=${form.responsible}
        onInput=${field('responsible')} maxlength="100" data-testid="fu-responsible" /></label>`}
      <label class="field">${current === 'contact' ? t('wo_agreed') : t('fu_note')}<textarea rows="2" value=${form.note}
        onInput=${field('note')} data-testid="fu-note"></textarea></label>
      ${error && html`<p class="error" role="alert" data-testid="fu-error">${error}</p>`}
      <button class=${`btn btn-block ${current === 'verify' ? 'btn-primary' : ''}`} disabled=${busy}
        onClick=${() => act(current)} data-testid=${`fu-${current}`}>${t(`do_${current}`)}</button>
    </section>` : error && html`<p class="error" role="alert" data-testid="fu-error">${error}</p>`}
  </main>`;
}
