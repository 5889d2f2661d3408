// An owner's complaint or repair request (投诉 / 报修) entered on the phone, offline too: the
// order and its photos wait in the outbox under an id made here, like a follow-up step, so a
// resend after a lost answer is taken once. The categories mirror server/followups/categories.py.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../shared/i18n.js';
import * as pulled from '../shared/pulled.js';
import * as sync from '../shared/sync.js';
import { isoNow } from '../shared/time.js';
import { PhotoPicker, usePhotoPicker } from './photo-picker.js';
import { matchSubjects } from './rules.js';

export const CATEGORIES = {
  complaint: ['service', 'environment', 'security', 'noise', 'fees', 'other_complaint'],
  repair: ['unit_plumbing', 'unit_doors_windows', 'unit_leak', 'public_area', 'lift', 'other_repair'],
};
export const CHANNELS = ['phone', 'front_desk', 'patrol', 'online'];

export function WorkOrderEntry({ id, session }) {
  const propertyId = Number(id) || session.propertyId;
  const [units, setUnits] = useState([]);
  const [kind, setKind] = useState('complaint');
  const [category, setCategory] = useState('');
  const [unitQuery, setUnitQuery] = useState('');
  const [unitId, setUnitId] = useState('');
  const [error, setError] = useState(null);
  const [sending, setSending] = useState(false);
  const picker = usePhotoPicker(setError);
  const [orderId] = useState(() => crypto.randomUUID());
  useEffect(() => { pulled.unitsOf(propertyId).then(setUnits).catch(() => setUnits([])); }, [propertyId]);
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const description = String(form.get('description') || '').trim();
    const location = String(form.get('location') || '').trim();
    if (!category) { setError(t('wo_pick_category')); return; }
    if (!description) { setError(t('wo_describe')); return; }
    if (!unitId && !location) { setError(t('wo_place_required')); return; }
    setSending(true);
    const order = {
      property_id: propertyId, kind, category, channel: form.get('channel'), description,
      caller_name: String(form.get('caller_name') || '').trim() || null,
      caller_phone: String(form.get('caller_phone') || '').trim() || null,
      unit_id: unitId ? Number(unitId) : null, location: location || null,
      group_risk: kind === 'complaint' && form.get('group_risk') === 'on',
    };
    await sync.queueFollowUpEvent({ id: crypto.randomUUID(), action: sync.WORK_ORDER, follow_up_id: orderId,
      order, photos: picker.cited(), at: isoNow(),
      author: session.user.username });
    window.location.hash = '/';
  };
  const shown = matchSubjects(units.map((u) => ({ ...u, label: u.label || u.room })), unitQuery).slice(0, 30);
  return html`<main class="screen" data-testid="work-order">
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/">‹ ${t('back')}</a><h1>${t('wo_new')}</h1></header>
    <form class="card" onSubmit=${submit}>
      <fieldset class="field"><legend>${t('wo_kind')}</legend>
        ${['complaint', 'repair'].map((k) => html`<label class="check"><input type="radio" name="kind" value=${k}
          checked=${kind === k} onChange=${() => { setKind(k); setCategory(''); }} data-testid=${`wo-kind-${k}`} />
          ${t(`wo_kind_${k}`)}</label>`)}</fieldset>
      <label class="field">${t('wo_category')}<select value=${category} onChange=${(e) => setCategory(e.target.value)}
          data-testid="wo-category"><option value="">—</option>
        ${CATEGORIES[kind].map((c) => html`<option value=${c}>${t(`wo_cat_${c}`)}</option>`)}</select></label>
      <label class="field">${t('wo_channel')}<select name="channel" data-testid="wo-channel">
        ${CHANNELS.map((c) => html`<option value=${c}>${t(`wo_channel_${c}`)}</option>`)}</select></label>
      <label class="field">${t('wo_caller')}<input name="caller_name" maxlength="50" data-testid="wo-caller" /></label>
      <label class="field">${t('wo_phone')}<input name="caller_phone" type="tel" maxlength="32" data-testid="wo-phone" /></label>
      <label class="field">${t('wo_unit')}<input type="search" value=${unitQuery} placeholder=${t('wo_unit_search')}
        onInput=${(e) => setUnitQuery(e.target.value)} data-testid="wo-unit-search" /></label>
      <select class="field" value=${unitId} onChange=${(e) => setUnitId(e.target.value)} aria-label=${t('wo_unit')}
          data-testid="wo-unit"><option value="">${t('wo_no_unit')}</option>
        ${shown.map((u) => html`<option value=${u.id}>${u.label}</option>`)}</select>
      ${!unitId && html`<label class="field">${t('wo_location')}<input name="location" maxlength="100"
        data-testid="wo-location" /></label>`}
      <label class="field">${t('wo_description')}<textarea name="description" rows="3" maxlength="2000"
        data-testid="wo-description"></textarea></label>
      ${kind === 'complaint' && html`<label class="check"><input type="checkbox" name="group_risk"
        data-testid="wo-group-risk" /> ${t('wo_group_risk')}</label>`}
      <${PhotoPicker} picker=${picker} testid="wo" />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="btn btn-primary btn-block" type="submit" disabled=${picker.busy || sending} data-testid="wo-submit">
        ${t('wo_submit')}</button>
    </form>
  </main>`;
}
