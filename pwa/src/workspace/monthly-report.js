// The monthly report (月报) a 客服主管 takes to the monthly meeting with the project manager: the
// key figures first, then each property's frequencies, home visits, satisfaction and callbacks,
// work orders, night checks and drills, scores and people; the same figures as a spreadsheet or
// a PDF carrying its verification code. A manager picks several properties (none = all) and
// gets their totals too. The month picker names months in the screen's language.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, download } from '../shared/api.js';
import { formatMonth, getLanguage, t, tx } from '../shared/i18n.js';
import { hashQuery } from '../shared/router.js';
import { monthIn, recentMonths } from '../shared/time.js';
import { COLORS, Chart } from './chart.js';
import { Header, propertyName, useCached } from './common.js';

const percent = (rate) => (rate == null ? '—' : `${Math.round(rate * 1000) / 10}%`);
const score = (value) => (value == null ? '—' : String(value));
const STATUS_BADGE = { met: 'badge-ok', on_track: 'badge-ok', behind: 'badge-todo', missed: 'badge-error',
  setup: 'badge-todo' };
const REASONS = { performer: 'reason_performer', window: 'reason_window', late: 'reason_late',
  repeat: 'reason_repeat', outcome: 'reason_outcome' };
const KINDS = [['complaint', 'wo_kind_complaint'], ['repair', 'wo_kind_repair'], ['follow_up', 'report_kind_follow_up']];
const SCENARIOS = ['fire', 'climbing', 'lift_entrapment', 'suspicious_person', 'other'];

function reportQuery(month, chosen, lang) {
  const params = new URLSearchParams({ month });
  for (const id of chosen) params.append('property_id', id);
  if (lang) params.set('lang', lang);
  return params.toString();
}

export function MonthlyReport() {
  const initial = hashQuery();
  const months = recentMonths(monthIn());
  // Preparing the monthly meeting is about the month just finished.
  const [month, setMonth] = useState(initial.month && months.includes(initial.month) ? initial.month : months[1]);
  const [chosen, setChosen] = useState(initial.property_id ? [String(initial.property_id)] : []);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const properties = useCached('/api/properties') || [];
  useEffect(() => {
    let cancelled = false;
    setData(null);
    api(`/api/reports/monthly?${reportQuery(month, chosen)}`)
      .then((value) => { if (!cancelled) { setData(value); setError(null); } })
      .catch((err) => !cancelled && setError(err.message));
    return () => { cancelled = true; };
  }, [month, chosen.join(',')]);
  const toggle = (id) => setChosen(chosen.includes(id) ? chosen.filter((x) => x !== id) : [...chosen, id]);
  const save = async (format) => {
    setBusy(true);
    try {
      const query = reportQuery(month, chosen, getLanguage());
      await download(`/api/reports/monthly.${format}?${query}`, `${t('report_title')}-${month}.${format}`);
      setError(null);
    } catch (err) { setError(err.message); } finally { setBusy(false); }
  };
  return html`<main class="screen screen-wide" data-testid="monthly-report">
    <${Header} title=${t('report_title')} />
    <p class="muted small">${t('report_intro')}</p>
    <div class="card filter-grid">
      <label class="field">${t('month')}<select value=${month} onChange=${(e) => setMonth(e.target.value)}
          data-testid="report-month">${months.map((m) => html`<option value=${m}>${formatMonth(m)}</option>`)}</select></label>
      ${properties.length > 1 && html`<fieldset class="field report-properties" data-testid="report-properties">
        <legend>${t('report_properties')}</legend>
        <label class="check"><input type="checkbox" checked=${!chosen.length} onChange=${() => setChosen([])} />
          ${t('report_all_properties')}</label>
        ${properties.map((p) => html`<label class="check"><input type="checkbox" checked=${chosen.includes(String(p.id))}
          onChange=${() => toggle(String(p.id))} data-testid="report-property-choice" />${propertyName(p)}</label>`)}
      </fieldset>`}
      <div class="actions report-downloads">
        <button class="btn" disabled=${busy || !data} onClick=${() => save('xlsx')} data-testid="report-xlsx">${t('report_download_xlsx')}</button>
        <button class="btn" disabled=${busy || !data} onClick=${() => save('pdf')} data-testid="report-pdf">${t('report_download_pdf')}</button>
      </div>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data ? !error && html`<p class="muted">${t('report_loading')}</p>` : html`
      ${!data.month_over && html`<p class="small muted" data-testid="report-running">${t('report_running')}</p>`}
      ${data.totals && html`<${Totals} totals=${data.totals} n=${data.properties.length} />`}
      ${data.properties.map((section) => html`<${PropertyReport} section=${section} month=${data.month} />`)}
      <p class="small muted report-code">${t('report_verification')}：<span data-testid="report-code">${data.verification_code.slice(0, 16)}</span>…</p>`}
  </main>`;
}

function Tile({ label, value, detail, tone, testid }) {
  return html`<div class=${`tile ${tone ? `tile-${tone}` : ''}`} data-testid=${testid}>
    <div class="tile-value">${value}</div><div class="tile-label">${label}</div>
    ${detail && html`<div class="tile-detail small">${detail}</div>`}</div>`;
}

/** The figures a meeting opens with, for one property or the totals. */
function KeyFigures({ visits, satisfaction, night, drills, records, orders }) {
  const overdue = KINDS.reduce((sum, [kind]) => sum + orders[kind].overdue, 0);
  const due = KINDS.reduce((sum, [kind]) => sum + orders[kind].due, 0);
  return html`<div class="tiles">
    <${Tile} testid="tile-visits" label=${t('report_households_visited')} value=${`${visits.households_visited} / ${visits.required}`}
      tone=${visits.households_visited >= visits.required ? 'ok' : 'miss'} detail=${t('report_visit_target')} />
    <${Tile} testid="tile-sat-visits" label=${t('report_sat_visits')} value=${percent(satisfaction.visits.rate)}
      detail=${t('report_of', { part: satisfaction.visits.satisfied + satisfaction.visits.basically_satisfied, whole: satisfaction.visits.asked })} />
    <${Tile} testid="tile-sat-callbacks" label=${t('report_sat_callbacks')} value=${percent(satisfaction.callbacks.rate)}
      detail=${t('report_of', { part: satisfaction.callbacks.satisfied + satisfaction.callbacks.basically_satisfied, whole: satisfaction.callbacks.asked })} />
    <${Tile} testid="tile-callback" label=${t('report_callback_rate')} value=${percent(satisfaction.callback.rate)}
      tone=${satisfaction.callback.rate == null || satisfaction.callback.rate >= 1 ? 'ok' : 'miss'}
      detail=${t('report_of', { part: satisfaction.callback.done, whole: satisfaction.callback.needed })} />
    <${Tile} testid="tile-night" label=${t('report_night_checks')} value=${`${night.done} / ${night.required}`}
      tone=${night.done >= night.required ? 'ok' : 'miss'} />
    <${Tile} testid="tile-drills" label=${t('report_drills')} value=${`${drills.done} / ${drills.required}`}
      tone=${drills.done >= drills.required ? 'ok' : 'miss'} />
    <${Tile} testid="tile-overdue" label=${t('report_overdue')} value=${`${overdue} / ${due}`} tone=${overdue ? 'miss' : 'ok'}
      detail=${t('report_work_orders')} />
    <${Tile} testid="tile-returned" label=${t('report_records_returned')} value=${`${records.returned_records} / ${records.completed}`} />
  </div>`;
}

function RuleBadge({ rule }) {
  return html`<span class=${`badge ${STATUS_BADGE[rule.status] || 'badge-error'}`} data-status=${rule.status}>${t(`status_${rule.status}`)}</span>`;
}

/** A long axis label as lines of at most `width` characters (words kept whole in English). */
export function wrapLabel(text, width) {
  if (text.length <= width) return text;
  const lines = [];
  if (/\s/.test(text)) {
    let line = '';
    for (const word of text.split(/\s+/)) {
      if (line && (line.length + 1 + word.length) > width) { lines.push(line); line = word; }
      else line = line ? `${line} ${word}` : word;
    }
    if (line) lines.push(line);
    return lines;
  }
  for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
  return lines;
}

function RulesChart({ rules }) {
  const shown = rules.filter((r) => !r.setup_problem && r.required > 0);
  if (!shown.length) return null;
  // A phone has room for a short axis: long requirements wrap instead of being cut off.
  const width = window.innerWidth < 600 ? (getLanguage() === 'en' ? 16 : 8) : 40;
  const names = shown.map((r) => tx(r.label));
  const labels = names.map((name) => wrapLabel(name, width));
  const lines = labels.reduce((sum, label) => sum + (Array.isArray(label) ? label.length : 1), 0);
  const rates = shown.map((r) => Math.min(100, Math.round((r.done / r.required) * 100)));
  return html`<${Chart} type="bar" labels=${labels} testid="report-rules-chart" height=${Math.max(140, 14 * lines + 12 * shown.length + 40)}
    label=${`${t('report_rules_chart')}: ${names.map((l, i) => `${l} ${rates[i]}%`).join('; ')}`}
    datasets=${[{ label: t('report_rules_chart'), data: rates,
      backgroundColor: shown.map((r) => (r.done >= r.required ? COLORS.ok : COLORS.miss)) }]}
    options=${{ indexAxis: 'y', scales: { x: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } },
      y: { ticks: { autoSkip: false, font: { size: 11 } } } } }} />`;
}

function SatisfactionChart({ satisfaction }) {
  const parts = [['satisfied', 'report_satisfied', COLORS.ok], ['basically_satisfied', 'report_basically', COLORS.neutral],
    ['dissatisfied', 'report_dissatisfied', COLORS.miss]];
  const sources = [['visits', 'report_source_visits'], ['callbacks', 'report_source_callbacks']];
  const labels = sources.map(([, key]) => t(key));
  const text = sources.map(([source, key]) => `${t(key)}: ${parts.map(([field, label]) => `${t(label)} ${satisfaction[source][field]}`).join(', ')}`);
  return html`<${Chart} type="bar" labels=${labels} testid="report-satisfaction-chart" height=${130}
    label=${`${t('report_sat_chart')}. ${text.join('; ')}`}
    datasets=${parts.map(([field, label, color]) => ({ label: t(label), backgroundColor: color,
      data: sources.map(([source]) => satisfaction[source][field]) }))}
    options=${{ indexAxis: 'y', scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
      plugins: { legend: { display: true, position: 'bottom' } } }} />`;
}

function WorkOrders({ orders }) {
  return html`<div class="table-wrap"><table class="ctable report-table" data-testid="report-work-orders">
    <thead><tr><th>${t('wo_kind')}</th><th>${t('report_opened')}</th><th>${t('report_closed')}</th><th>${t('report_overdue_of_due')}</th>
      <th>${t('report_escalated')}</th><th>${t('report_contacted_of_due')}</th></tr></thead>
    <tbody>${KINDS.map(([kind, label]) => html`<tr data-kind=${kind}><td>${t(label)}</td><td>${orders[kind].opened}</td>
      <td>${orders[kind].closed}</td><td class=${orders[kind].overdue ? 'error' : ''}>${orders[kind].overdue} / ${orders[kind].due}</td>
      <td>${orders[kind].escalated}</td><td>${orders[kind].contacted_on_time} / ${orders[kind].contact_due}</td></tr>`)}</tbody>
  </table></div>`;
}

function Totals({ totals, n }) {
  return html`<section class="card" data-testid="report-totals">
    <h2>${t('report_totals', { n })}</h2>
    <${KeyFigures} visits=${totals.home_visits} satisfaction=${totals.satisfaction} night=${totals.night_checks}
      drills=${totals.drills} records=${totals.records} orders=${totals.work_orders} />
    <${RulesChart} rules=${totals.rules} />
    <${WorkOrders} orders=${totals.work_orders} />
  </section>`;
}

function PropertyReport({ section, month }) {
  const visits = section.home_visits;
  const sat = section.satisfaction;
  return html`<section class="card" data-testid="report-property" data-property-id=${section.property.id}>
    <h2>${propertyName(section.property)} · ${formatMonth(month)}</h2>
    <${KeyFigures} visits=${visits} satisfaction=${sat} night=${section.night_checks} drills=${section.drills}
      records=${section.records} orders=${section.work_orders} />

    <h3>${t('report_rules')}</h3>
    <${RulesChart} rules=${section.rules} />
    <div class="table-wrap"><table class="ctable report-table report-rules" data-testid="report-rules">
      <thead><tr><th>${t('rule')}</th><th>${t('report_required')}</th><th>${t('report_done')}</th><th>${t('report_late')}</th>
        <th>${t('status')}</th><th>${t('report_by_whom')}</th></tr></thead>
      <tbody>${section.rules.map((rule) => html`<tr data-rule=${rule.rule_id} data-checklist=${rule.checklist_code}
          class=${rule.status === 'missed' || rule.status === 'behind' ? 'row-miss' : ''}>
        <td>${tx(rule.checklist_title)}<br /><span class="small">${tx(rule.label)}</span></td>
        <td>${rule.required}</td><td data-testid="report-rule-done">${rule.done}</td><td>${rule.late}</td>
        <td><${RuleBadge} rule=${rule} /></td>
        <td class="small">${rule.by_person.map((p) => `${p.name} ${p.counted}`).join(getLanguage() === 'en' ? ', ' : '、') || '—'}</td></tr>`)}</tbody>
    </table></div>

    <h3>${t('report_visits')}</h3>
    <dl class="figures" data-testid="report-visits">
      <dt>${t('report_households')}</dt><dd>${visits.households}</dd>
      <dt>${t('report_visit_target')}</dt><dd>${visits.required}</dd>
      <dt>${t('report_households_visited')}</dt><dd data-testid="report-households-visited">${visits.households_visited}</dd>
      <dt>${t('report_nobody_home')}</dt><dd>${visits.nobody_home}</dd>
      <dt>${t('report_repeated')}</dt><dd>${visits.repeated}</dd>
      <dt>${t('report_key_customers')}</dt><dd>${visits.key_customers_done} / ${visits.key_customers_required}</dd>
    </dl>

    <h3>${t('report_satisfaction')}</h3>
    <${SatisfactionChart} satisfaction=${sat} />

    <h3>${t('report_work_orders')}</h3>
    <${WorkOrders} orders=${section.work_orders} />

    <h3>${t('report_night')}</h3>
    ${[['night_checks', 'report_night_checks'], ['drills', 'report_drills']].map(([part, label]) => html`
      <p><strong>${t(label)}</strong> ${section[part].done} / ${section[part].required}</p>
      ${section[part].occasions.length ? html`<ul class="list small" data-testid=${`report-${part}`}>${section[part].occasions.map((o) => html`
        <li class="row-static"><span class="row-main">${o.at.slice(0, 16).replace('T', ' ')} · ${o.by}
          ${o.scenario ? ` · ${t(`report_scenario_${SCENARIOS.includes(o.scenario) ? o.scenario : 'other'}`)}` : ''}</span>
          <span class=${`badge ${o.counted ? 'badge-ok' : 'badge-todo'}`}>${o.counted ? t('report_counted_yes') : t(REASONS[o.reason] || 'reason_outcome')}</span></li>`)}</ul>`
        : html`<p class="muted small">${t('report_nothing')}</p>`}`)}
    <p class="small muted" data-testid="report-drills-note">${t('report_drills_note')}</p>

    <h3>${t('report_scores')}</h3>
    ${section.scores.length ? html`<div class="table-wrap"><table class="ctable report-table" data-testid="report-scores">
      <thead><tr><th>${t('checklist')}</th><th>${t('report_scored')}</th><th>${t('report_average')}</th><th>${t('report_lowest')}</th></tr></thead>
      <tbody>${section.scores.map((line) => html`<tr data-checklist=${line.checklist_code}><td>${tx(line.checklist_title)}</td>
        <td>${line.records}</td><td>${score(line.average)}</td><td>${score(line.lowest)}</td></tr>`)}</tbody></table></div>`
      : html`<p class="muted small">${t('report_nothing')}</p>`}

    <h3>${t('report_people')}</h3>
    <div class="table-wrap"><table class="ctable report-table" data-testid="report-people">
      <thead><tr><th>${t('report_name')}</th><th>${t('report_duties')}</th><th>${t('report_records_completed')}</th>
        <th>${t('report_returned')}</th><th>${t('report_average')}</th><th>${t('report_follow_ups')}</th></tr></thead>
      <tbody>${section.people.map((p) => html`<tr data-user-id=${p.user_id}>
        <td>${p.name}<br /><span class="small muted">${t(`role_${p.role}`)}</span></td>
        <td>${p.duties_met} / ${p.duties}</td><td>${p.completed}</td><td>${p.returned}</td><td>${score(p.average_score)}</td>
        <td class=${p.follow_ups_overdue ? 'error' : ''}>${p.follow_ups_due} / ${p.follow_ups_overdue}</td></tr>`)}</tbody>
    </table></div>
  </section>`;
}
