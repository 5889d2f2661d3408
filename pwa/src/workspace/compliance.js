// Month-by-month compliance per property: a table, a bar per rule, a 6-month trend per
// checklist, and links from each gap to the records behind it.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { t, tx } from '../shared/i18n.js';
import { hashQuery, queryString } from '../shared/router.js';
import { monthIn } from '../shared/time.js';
import { Header, propertyName, useCached } from './common.js';

export function Compliance() {
  const initial = hashQuery();
  const thisMonth = monthIn();
  const [month, setMonth] = useState(initial.month || thisMonth);
  const [propertyId, setPropertyId] = useState(initial.property_id || '');
  const [data, setData] = useState(null);
  const [trend, setTrend] = useState([]);
  const [error, setError] = useState(null);
  const properties = useCached('/api/properties') || [];
  useEffect(() => {
    let cancelled = false;
    setData(null);
    const q = queryString({ month, property_id: propertyId });
    Promise.all([api(`/api/compliance?${q}`), api(`/api/compliance/trend?${queryString({ months: 6, property_id: propertyId })}`)])
      .then(([value, points]) => { if (!cancelled) { setData(value); setTrend(points); setError(null); } })
      .catch((err) => !cancelled && setError(err.message));
    return () => { cancelled = true; };
  }, [month, propertyId]);
  return html`<main class="screen screen-wide" data-testid="compliance">
    <${Header} title=${t('compliance')} />
    <div class="card filter-grid">
      <label class="field">${t('month')}<input type="month" value=${month} onInput=${(e) => e.target.value && setMonth(e.target.value)}
        data-testid="c-month" /></label>
      <label class="field">${t('property')}<select value=${propertyId} onChange=${(e) => setPropertyId(e.target.value)}
          data-testid="c-property"><option value="">${t('all_properties')}</option>
        ${properties.map((p) => html`<option value=${p.id}>${propertyName(p)}</option>`)}</select></label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data ? html`<p class="muted">${t('loading')}</p>` : data.properties.map((entry) => html`
      <${PropertyCompliance} entry=${entry} month=${data.month}
        trend=${trend.filter((p) => p.property_id === entry.property.id)} />`)}
  </main>`;
}

function monthRange(month) {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { date_from: `${month}-01`, date_to: `${month}-${String(last).padStart(2, '0')}` };
}

function PropertyCompliance({ entry, month, trend }) {
  const prop = entry.property;
  const byChecklist = {};
  for (const point of trend) (byChecklist[point.checklist_code] ||= []).push(point);
  return html`<section class="card" data-testid="compliance-property" data-property-id=${prop.id}>
    <h2>${propertyName(prop)} · ${month}</h2>
    ${!entry.rules.length && html`<p class="muted">${t('no_rules')}</p>`}
    <div class="table-wrap"><table class="ctable">
      <thead><tr><th>${t('rule')}</th><th>${t('required_n')}</th><th>${t('done_n')}</th><th>${t('rate')}</th></tr></thead>
      <tbody>${entry.rules.map((rule) => html`<tr data-testid="rule-row" data-rule=${rule.rule_id}
          data-checklist=${rule.checklist_code} class=${rule.met ? '' : 'row-miss'}>
        <td>${tx(rule.checklist_title)}<br /><span class="small">${tx(rule.label)}
          · ${t('periods_met', { met: rule.periods_met, n: rule.periods })}</span></td>
        <td data-testid="rule-required">${rule.required}</td>
        <td data-testid="rule-done">${rule.done}</td>
        <td><span class=${`badge ${rule.met ? 'badge-ok' : 'badge-error'}`}>${Math.round(rule.rate * 100)}%
          ${rule.met ? t('met') : t('not_met')}</span></td></tr>`)}</tbody></table></div>
    <div class="bars" aria-hidden="true">${entry.rules.map((rule) => html`<div class="bar-row">
      <span class="bar-label">${tx(rule.label)}</span>
      <span class="bar-track"><span class=${`bar ${rule.met ? 'bar-ok' : 'bar-miss'}`}
        style=${`width:${Math.min(100, Math.round(rule.rate * 100))}%`}></span></span>
      <span class="bar-value">${rule.done}/${rule.required}</span></div>`)}</div>
    ${entry.rules.some((r) => r.gaps && r.gaps.length) && html`<details class="gaps" data-testid="gaps">
      <summary>${t('gaps')}</summary>
      ${entry.rules.filter((r) => r.gaps && r.gaps.length).map((rule) => html`<div class="gap-rule">
        <p><strong>${tx(rule.label)}</strong> · <a href=${`#/records?${queryString({ property_id: prop.id,
          checklist: rule.checklist_code, ...monthRange(month) })}`} data-testid="gap-records">${t('see_records')}</a></p>
        <ul class="small">${rule.gaps.map((gap) => html`<li><a href=${`#/records?${queryString({
            property_id: prop.id, checklist: rule.checklist_code, date_from: gap.period_start, date_to: gap.period_end,
            unit_id: gap.subject && gap.subject.type === 'unit' ? gap.subject.id : '' })}`}>${t('gap_line', {
          start: gap.period_start, end: gap.period_end,
          subject: (gap.subject && (gap.subject.label || gap.subject.id)) || '', done: gap.done, required: gap.required })}</a></li>`)}
        </ul></div>`)}
    </details>`}
    ${Object.keys(byChecklist).length > 0 && html`<h3 class="small">${t('trend')}</h3>
      <div class="trends">${Object.entries(byChecklist).map(([code, points]) => html`<${Trend} code=${code} points=${points} />`)}</div>`}
  </section>`;
}

/** A small SVG column chart: one column per month, height = completion rate. */
function Trend({ code, points }) {
  const width = 24 * points.length;
  return html`<figure class="trend" data-testid="trend" data-checklist=${code}>
    <svg viewBox=${`0 0 ${width} 44`} width=${width * 2} height="88" role="img"
      aria-label=${points.map((p) => `${p.month} ${Math.round(p.rate * 100)}%`).join(', ')}>
      ${points.map((p, i) => {
        const h = Math.max(1, Math.round(Math.min(1, p.rate) * 40));
        return html`<rect x=${i * 24 + 4} y=${42 - h} width="16" height=${h}
          fill=${p.rate >= 1 ? '#1b6e2e' : '#b3261e'}><title>${p.month}: ${p.done}/${p.required}</title></rect>`;
      })}
      <line x1="0" y1="42.5" x2=${width} y2="42.5" stroke="#7d8594" stroke-width="1" />
    </svg>
    <figcaption class="small">${code}</figcaption></figure>`;
}
