// Monthly figures of the work-order loop for one property: callback rate and the owners'
// satisfaction, and the month's random sample of closed repair work orders for telephone checks.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { propertyName } from './common.js';

const percent = (rate) => (rate == null ? '—' : `${Math.round(rate * 1000) / 10}%`);

export function OrderFigures() {
  const [properties, setProperties] = useState([]);
  const [propertyId, setPropertyId] = useState('');
  const [month, setMonth] = useState(() => new Date().toISOString().slice(0, 7));
  const [figures, setFigures] = useState(null);
  const [sample, setSample] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('/api/properties').then((list) => { setProperties(list); if (list[0]) setPropertyId(String(list[0].id)); })
      .catch((err) => setError(err.message));
  }, []);
  useEffect(() => {
    if (!propertyId) return;
    const query = `property_id=${propertyId}&month=${month}`;
    api(`/api/followups/callback-figures?${query}`).then(setFigures).catch((err) => setError(err.message));
    api(`/api/followups/samples?${query}`).then(setSample)
      .catch((err) => { setSample(null); if (!(err instanceof ApiError && err.status === 404)) setError(err.message); });
  }, [propertyId, month]);
  const draw = async () => {
    try { setSample(await api('/api/followups/samples', { method: 'POST', json: { property_id: Number(propertyId), month } })); }
    catch (err) { setError(err.message); }
  };
  const check = async (followUpId, result) => {
    try {
      setSample(await api(`/api/followups/samples/${sample.id}/checks/${followUpId}`, { method: 'PUT', json: { result } }));
    } catch (err) { setError(err.message); }
  };
  return html`<main class="screen screen-wide" data-testid="order-figures">
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/followups">‹ ${t('back')}</a><h1>${t('wo_figures')}</h1></header>
    <div class="card filter-grid">
      <label class="field">${t('property')}<select value=${propertyId} onChange=${(e) => setPropertyId(e.target.value)}>
        ${properties.map((p) => html`<option value=${p.id}>${propertyName(p)}</option>`)}</select></label>
      <label class="field">${t('month')}<input type="month" value=${month} onChange=${(e) => setMonth(e.target.value)} /></label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${figures && html`<section class="card" data-testid="callback-figures"><h2>${t('wo_callbacks')}</h2>
      <p>${t('wo_callback_rate', { rate: percent(figures.callback_rate), done: figures.called_back, of: figures.closed_needing_callback })}</p>
      <p>${t('wo_satisfaction_rate', { rate: percent(figures.satisfaction_rate), n: figures.callbacks })}</p>
      <p class="small">${t('wo_sat_satisfied')} ${figures.satisfied} · ${t('wo_sat_basically_satisfied')} ${figures.basically_satisfied}
        · ${t('wo_sat_dissatisfied')} ${figures.dissatisfied}</p></section>`}
    <section class="card" data-testid="sample"><h2>${t('wo_sample')}</h2>
      ${!sample ? html`<button class="btn" onClick=${draw} data-testid="sample-draw">${t('wo_sample_draw')}</button>` : html`
        <p class="small">${t('wo_sample_counts', { ...sample.counts, population: sample.population, share: sample.share_percent })}</p>
        <ul class="list">${sample.checks.map((c) => html`<li class="row-static" data-testid="sample-row">
          <span class="row-main">${c.description}<br /><span class="small">${c.subject_label}
            ${c.caller_name ? ` · ${c.caller_name}` : ''}${c.caller_phone ? ` ${c.caller_phone}` : ''}</span></span>
          ${c.result ? html`<span class=${`badge ${c.result === 'confirmed' ? 'badge-ok' : 'badge-error'}`}>${t(`wo_check_${c.result}`)}</span>`
            : html`<span class="actions"><button class="btn btn-small" onClick=${() => check(c.follow_up_id, 'confirmed')}>
              ${t('wo_check_confirmed')}</button><button class="btn btn-small" onClick=${() => check(c.follow_up_id, 'problem')}>
              ${t('wo_check_problem')}</button></span>`}</li>`)}</ul>`}
    </section>
  </main>`;
}
