// The staff member's own monthly assessments on the phone: the list, one assessment with the
// figures behind each suggested score, and the acknowledgement (with a remark if they wish).
// The last list fetched is kept on the phone, so an assessment can be read with no signal;
// acknowledging needs the server (it seals the assessment there), and the screen says so.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../shared/api.js';
import { AssessmentSheet, StatusBadge, points } from '../shared/assessment-view.js';
import { kvGet, kvSet } from '../shared/db.js';
import { formatMonth, formatTime, t } from '../shared/i18n.js';

export const SAVED_KEY = 'myAssessments';

/** The caller's assessments: from the server when reachable (and kept), else the kept copy. */
function useMine() {
  const [state, setState] = useState({ items: null, offline: false, savedAt: null, error: null });
  const load = async () => {
    try {
      const data = await api('/api/assessments/mine');
      const savedAt = new Date().toISOString();
      await kvSet(SAVED_KEY, { items: data.items, savedAt });
      setState({ items: data.items, offline: false, savedAt, error: null });
    } catch (err) {
      if (err instanceof ApiError) { setState((s) => ({ ...s, items: s.items || [], error: err.message })); return; }
      const saved = await kvGet(SAVED_KEY);
      setState({ items: saved ? saved.items : [], offline: true, savedAt: saved ? saved.savedAt : null, error: null });
    }
  };
  useEffect(() => { load(); }, []);
  return [state, load];
}

function OfflineNote({ state }) {
  if (!state.offline) return null;
  return html`<p class="notice notice-warn" data-testid="as-offline">
    ${state.savedAt ? t('as_offline_saved', { time: formatTime(state.savedAt) }) : t('as_offline_nothing')}</p>`;
}

export function MyAssessments() {
  const [state] = useMine();
  return html`<main class="screen" data-testid="my-assessments">
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/">‹ ${t('back')}</a>
      <h1>${t('as_mine_title')}</h1></header>
    <${OfflineNote} state=${state} />
    ${state.error && html`<p class="error" role="alert">${state.error}</p>`}
    ${state.items === null ? html`<p class="muted">${t('loading')}</p>` : !state.items.length
      ? html`<p class="muted">${t('as_mine_none')}</p>`
      : html`<ul class="list card">${state.items.map((a) => html`<li>
        <a class="row-button" href=${`#/my-assessment/${a.id}`} data-testid="as-mine-row">
          <span class="row-main">${formatMonth(a.month)} · ${a.property_name}<br />
            <span class="small">${t('as_total')} ${points(a.total)}</span></span>
          <${StatusBadge} status=${a.status} /></a></li>`)}</ul>`}
  </main>`;
}

export function MyAssessment({ id }) {
  const [state, reload] = useMine();
  const [remark, setRemark] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const a = state.items && state.items.find((item) => String(item.id) === String(id));
  const acknowledge = async () => {
    setBusy(true);
    setError(null);
    try {
      await api(`/api/assessments/${id}/acknowledge`, { method: 'POST', json: { remark: remark.trim() || null } });
      await reload();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('as_ack_needs_network'));
    } finally { setBusy(false); }
  };
  return html`<main class="screen" data-testid="my-assessment">
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/my-assessments">‹ ${t('back')}</a>
      <h1>${t('as_mine_title')}</h1></header>
    <${OfflineNote} state=${state} />
    ${state.items === null ? html`<p class="muted">${t('loading')}</p>` : !a ? html`<p class="muted">${t('as_not_found')}</p>` : html`
      <div class="card"><p class="subject-line"><strong>${formatMonth(a.month)}</strong> · ${a.property_name}</p>
        <${StatusBadge} status=${a.status} /></div>
      <${AssessmentSheet} a=${a} />
      ${a.status === 'submitted' && html`<section class="card" data-testid="as-ack">
        <h2>${t('as_ack_title')}</h2>
        <p class="small">${t('as_ack_help')}</p>
        <label class="field">${t('as_remark_optional')}
          <textarea rows="3" maxlength="1000" value=${remark} onInput=${(e) => setRemark(e.target.value)}
            data-testid="as-remark-input"></textarea></label>
        ${state.offline && html`<p class="warn-text" data-testid="as-ack-offline">${t('as_ack_needs_network')}</p>`}
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button class="btn btn-primary btn-block" disabled=${busy || state.offline} onClick=${acknowledge}
          data-testid="as-acknowledge">${t('as_acknowledge')}</button>
      </section>`}`}
  </main>`;
}
