// Month-by-month compliance per property: a table, a bar per rule, a 6-month trend per
// checklist, and links from each gap to the records behind it. While a month runs, a rule reads
// on track / behind against what was due by now; a rule nobody can perform reads as a set-up
// problem; records that did not count are listed by reason. With one property chosen, the
// per-person view shows what each person did against what was theirs to do.
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
    ${propertyId ? html`<${People} month=${month} propertyId=${propertyId} />`
      : html`<p class="muted small">${t('people_choose_property')}</p>`}
  </main>`;
}

const STATUS_BADGE = { met: 'badge-ok', on_track: 'badge-ok', behind: 'badge-todo', missed: 'badge-error',
  setup: 'badge-todo' };
const REASONS = { performer: 'reason_performer', window: 'reason_window', late: 'reason_late',
  repeat: 'reason_repeat', outcome: 'reason_outcome' };

function reasonText(line) {
  return line.reason === 'outcome' && line.outcome_label ? tx(line.outcome_label) : t(REASONS[line.reason] || 'reason_outcome');
}

function StatusBadge({ rule }) {
  const percent = rule.status === 'setup' ? '' : `${Math.round(rule.rate * 100)}% `;
  return html`<span class=${`badge ${STATUS_BADGE[rule.status] || 'badge-error'}`} data-testid="rule-status"
    data-status=${rule.status}>${percent}${t(`status_${rule.status}`)}</span>`;
}

/** For one property and month: each person, the rules that are their work, what they did. */
function People({ month, propertyId }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let cancelled = false;
    setData(null);
    api(`/api/compliance/people?${queryString({ month, property_id: propertyId })}`)
      .then((value) => { if (!cancelled) { setData(value); setError(null); } })
      .catch((err) => !cancelled && setError(err.message));
    return () => { cancelled = true; };
  }, [month, propertyId]);
  if (error) return html`<p class="error" role="alert">${error}</p>`;
  if (!data) return html`<p class="muted">${t('loading')}</p>`;
  return html`<section class="card" data-testid="people">
    <h2>${t('people_view')} · ${data.month}</h2>
    ${!data.people.length && html`<p class="muted">${t('no_people')}</p>`}
    ${data.people.map((person) => html`<div class="person" data-testid="person" data-user-id=${person.user.id}>
      <h3>${person.user.display_name} <span class="small muted">${t(`role_${person.user.role}`)}</span></h3>
      <div class="table-wrap"><table class="ctable">
        <thead><tr><th>${t('rule')}</th><th>${t('person_done')}</th><th>${t('required_n')}</th><th>${t('not_counted')}</th></tr></thead>
        <tbody>${person.rules.map((line) => html`<tr data-testid="person-rule" data-rule=${line.rule_id}
            data-checklist=${line.checklist_code}>
          <td>${tx(line.checklist_title)}<br /><span class="small">${tx(line.label)}
            ${line.theirs ? (line.shared_with ? ` · ${t('person_shared', { n: line.shared_with })}` : '')
              : html` · <em>${t('person_not_theirs')}</em>`}</span></td>
          <td data-testid="person-done">${line.done}</td>
          <td>${line.theirs ? html`${line.required}<br /><span class="small">${t('person_rule_total', { done: line.rule_done, required: line.required })}</span>` : '—'}</td>
          <td class="small" data-testid="person-not-counted">${line.not_counted.length ? countReasons(line.not_counted).map(
            (entry) => html`<div>${t('not_counted_line', { reason: entry.text, n: entry.count })}</div>`) : '—'}</td></tr>`)}
        </tbody></table></div></div>`)}
  </section>`;
}

function countReasons(lines) {
  const counts = new Map();
  for (const line of lines) {
    const text = t(REASONS[line.reason] || 'reason_outcome');
    counts.set(text, (counts.get(text) || 0) + 1);
  }
  return [...counts].map(([text, count]) => ({ text, count }));
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
          data-checklist=${rule.checklist_code} class=${rule.status === 'missed' || rule.status === 'behind' ? 'row-miss' : ''}>
        <td>${tx(rule.checklist_title)}<br /><span class="small">${tx(rule.label)}
          · ${t('periods_met', { met: rule.periods_met, n: rule.periods })}</span>
          ${rule.setup_problem && html`<p class="small error" data-testid="setup-problem">${rule.setup_problem.message}</p>`}
          ${(rule.not_counted || []).length > 0 && html`<p class="small muted" data-testid="not-counted">${t('not_counted')}：${
            rule.not_counted.map((line) => t('not_counted_line', { reason: reasonText(line), n: line.count })).join('；')}</p>`}</td>
        <td data-testid="rule-required">${rule.required}</td>
        <td data-testid="rule-done">${rule.done}</td>
        <td><${StatusBadge} rule=${rule} />${!rule.month_over && rule.status !== 'met' && rule.status !== 'setup'
          && html`<br /><span class="small" data-testid="due-by-now">${t('due_by_now', { n: rule.due_by_now })}</span>`}</td></tr>`)}</tbody></table></div>
    <div class="bars" aria-hidden="true">${entry.rules.map((rule) => html`<div class="bar-row">
      <span class="bar-label">${tx(rule.label)}</span>
      <span class="bar-track"><span class=${`bar ${rule.status === 'met' || rule.status === 'on_track' ? 'bar-ok' : 'bar-miss'}`}
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
      <div class="trends">${Object.entries(byChecklist).map(([code, points]) => html`<${Trend} code=${code} points=${points}
        title=${trendTitle(code, points, entry.rules)} />`)}</div>`}
  </section>`;
}

/** A trend's caption: its checklist's title, never its code. */
function trendTitle(code, points, rules) {
  const titled = points.find((p) => p.checklist_title) || rules.find((r) => r.checklist_code === code);
  return titled ? tx(titled.checklist_title) : t('checklist');
}

/** A small SVG column chart: one column per month, height = completion rate. */
function Trend({ code, points, title }) {
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
    <figcaption class="small">${title}</figcaption></figure>`;
}
