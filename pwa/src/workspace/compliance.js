// Month-by-month compliance per property: a table, a bar per rule, a 6-month trend per
// checklist, and links from each gap to the records behind it. While a month runs, a rule reads
// on track / behind against what was due by now; a rule nobody can perform reads as a set-up
// problem; records that did not count are listed by reason. With one property chosen, the
// per-person view shows what each person did against what was theirs to do.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { formatMonth, getLanguage, t, tx } from '../shared/i18n.js';
import { hashQuery, queryString } from '../shared/router.js';
import { monthIn, recentMonths } from '../shared/time.js';
import { Chart, COLORS } from './chart.js';
import { Header, propertyName, useCached } from './common.js';

/** A month as YYYY-MM that the server accepts (2000–2100), or null. */
export const validMonth = (text) => (/^(20\d\d|2100)-(0[1-9]|1[0-2])$/.test(text || '') ? text : null);

/** Calendar days and months in the reader's language: "11月3日" / "November 3", "2026年11月". */
const dayOf = (iso) => new Date(`${iso}T00:00:00Z`);
const formatDay = (iso) => new Intl.DateTimeFormat(getLanguage(), { month: 'long', day: 'numeric', timeZone: 'UTC' })
  .format(dayOf(iso));
const formatDays = (first, last) => (first === last ? formatDay(first)
  : t('days_range', { from: formatDay(first), to: formatDay(last) }));
const wholeMonth = (first, last) => first.endsWith('-01') && first.slice(0, 7) === last.slice(0, 7)
  && dayOf(last).getUTCMonth() !== new Date(dayOf(last).getTime() + 86400000).getUTCMonth();
const monthOnly = (month) => new Intl.DateTimeFormat(getLanguage(), { month: 'short', timeZone: 'UTC' })
  .format(dayOf(`${month}-01`));
const listJoin = (items) => items.join(getLanguage() === 'en' ? ', ' : '、');

/** The months a supervisor picks from: the last two years, newest first, plus the one asked for. */
function monthChoices(thisMonth, chosen) {
  const months = recentMonths(thisMonth);
  if (chosen && !months.includes(chosen)) months.push(chosen);
  return months.sort().reverse();
}

export function Compliance() {
  const initial = hashQuery();
  const thisMonth = monthIn();
  // A month in the link that is not a month is said at the month field, and nothing loads.
  const [badMonth, setBadMonth] = useState(initial.month && !validMonth(initial.month) ? initial.month : null);
  const [month, setMonth] = useState(validMonth(initial.month) || thisMonth);
  const [propertyId, setPropertyId] = useState(initial.property_id || '');
  const [data, setData] = useState(null);
  const [trend, setTrend] = useState([]);
  const [error, setError] = useState(null);
  const properties = useCached('/api/properties') || [];
  useEffect(() => {
    if (badMonth) return undefined;
    let cancelled = false;
    setData(null);
    setError(null);
    const q = queryString({ month, property_id: propertyId });
    Promise.all([api(`/api/compliance?${q}`), api(`/api/compliance/trend?${queryString({ months: 6, property_id: propertyId })}`)])
      .then(([value, points]) => { if (!cancelled) { setData(value); setTrend(points); } })
      .catch((err) => !cancelled && setError(err.message));
    return () => { cancelled = true; };
  }, [month, propertyId, badMonth]);
  const pick = (value) => { setBadMonth(null); setMonth(value); };
  return html`<main class="screen screen-wide" data-testid="compliance">
    <${Header} title=${t('compliance')} />
    <div class="card filter-grid">
      <label class="field">${t('month')}<select value=${badMonth ? '' : month} onChange=${(e) => e.target.value && pick(e.target.value)}
          aria-invalid=${!!badMonth} data-testid="c-month">
        ${badMonth && html`<option value="">—</option>`}
        ${monthChoices(thisMonth, month).map((m) => html`<option value=${m}>${formatMonth(m)}</option>`)}</select>
        ${badMonth && html`<span class="error small" role="alert" data-testid="c-month-error">${t('month_bad', { value: badMonth })}</span>`}</label>
      <label class="field">${t('property')}<select value=${propertyId} onChange=${(e) => setPropertyId(e.target.value)}
          data-testid="c-property"><option value="">${t('all_properties')}</option>
        ${properties.map((p) => html`<option value=${p.id}>${propertyName(p)}</option>`)}</select></label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${badMonth || error ? '' : !data ? html`<p class="muted">${t('loading')}</p>` : data.properties.map((entry) => html`
      <${PropertyCompliance} entry=${entry} month=${data.month}
        trend=${trend.filter((p) => p.property_id === entry.property.id)} />`)}
    ${badMonth ? '' : propertyId ? html`<${People} month=${month} propertyId=${propertyId} />`
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
    <h2>${t('people_view')} · ${formatMonth(data.month)}</h2>
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
    <h2>${propertyName(prop)} · ${formatMonth(month)}</h2>
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
    ${entry.rules.some((r) => r.days) && html`<div class="calendars">
      ${entry.rules.filter((r) => r.days).map((rule) => html`<${Calendar} rule=${rule} />`)}</div>`}
    ${entry.rules.some((r) => r.gaps && r.gaps.length) && html`<details class="gaps" data-testid="gaps">
      <summary>${t('gaps')}</summary>
      ${entry.rules.filter((r) => r.gaps && r.gaps.length).map((rule) => html`<div class="gap-rule">
        <p><strong>${tx(rule.checklist_title)} · ${tx(rule.label)}</strong> · <a href=${`#/records?${queryString({ property_id: prop.id,
          checklist: rule.checklist_code, ...monthRange(month) })}`} data-testid="gap-records">${t('see_records')}</a></p>
        <ul class="small">${gapLines(rule.gaps).map((line) => html`<li data-testid="gap-line"><a href=${`#/records?${queryString({
            property_id: prop.id, checklist: rule.checklist_code, date_from: line.from, date_to: line.to,
            unit_id: line.unitId || '' })}`}>${line.text}</a></li>`)}
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

/**
 * Gaps as people say them: the dates, then what was missed ("11月1日、11月3日 · 4栋1单元102"),
 * one line per subject; a property-wide rule's gaps are just the dates.
 */
export function gapLines(gaps) {
  const bySubject = new Map();
  for (const gap of gaps) {
    const label = (gap.subject && gap.subject.label) || '';
    if (!bySubject.has(label)) bySubject.set(label, []);
    bySubject.get(label).push(gap);
  }
  return [...bySubject].map(([label, list]) => {
    // Days in a row read as one stretch: "11月1日至18日", not eighteen dates.
    const runs = [];
    for (const gap of list) {
      const last = runs[runs.length - 1];
      if (last && dayOf(gap.first_day) - dayOf(last.last_day) === 86400000) last.last_day = gap.last_day;
      else runs.push({ first_day: gap.first_day, last_day: gap.last_day });
    }
    const dates = listJoin(runs.map((run) => (wholeMonth(run.first_day, run.last_day)
      ? formatMonth(run.first_day.slice(0, 7)) : formatDays(run.first_day, run.last_day))));
    const subject = list[0].subject || {};
    return { text: label ? `${dates} · ${label}` : dates, from: list[0].first_day, to: list[list.length - 1].last_day,
      unitId: subject.type === 'unit' ? subject.id : null };
  });
}

const DAY_STATES = ['done', 'missed', 'open', 'upcoming', 'not_due'];

/** A daily rule's month as a calendar: one square per day, Monday first, its state in words too. */
function Calendar({ rule }) {
  const first = dayOf(rule.days[0].date);
  const blanks = (first.getUTCDay() + 6) % 7;  // Monday-first weeks
  const weekday = new Intl.DateTimeFormat(getLanguage(), { weekday: 'narrow', timeZone: 'UTC' });
  // 2026-11-02 was a Monday: the seven weekday names from there.
  const names = [...Array(7)].map((_, i) => weekday.format(dayOf(`2026-11-0${2 + i}`)));
  const counts = Object.fromEntries(DAY_STATES.map((state) => [state, rule.days.filter((d) => d.state === state).length]));
  return html`<figure class="calendar-block" data-testid="calendar" data-rule=${rule.rule_id} data-checklist=${rule.checklist_code}>
    <figcaption><strong>${tx(rule.checklist_title)}</strong> · ${tx(rule.label)}</figcaption>
    <div class="calendar" role="list">
      ${names.map((name) => html`<span class="cal-head" aria-hidden="true">${name}</span>`)}
      ${[...Array(blanks)].map(() => html`<span class="cal-blank" aria-hidden="true"></span>`)}
      ${rule.days.map((day) => html`<span role="listitem" class=${`cal-day cal-${day.state}`} data-date=${day.date}
        data-state=${day.state} title=${`${formatDay(day.date)} ${t(`day_${day.state}`)}`}
        aria-label=${`${formatDay(day.date)} ${t(`day_${day.state}`)}`}>${Number(day.date.slice(8))}</span>`)}
    </div>
    <p class="small cal-legend">${DAY_STATES.filter((state) => counts[state]).map((state) => html`<span class="cal-key">
      <span class=${`cal-swatch cal-${state}`} aria-hidden="true"></span>${t(`day_${state}`)} ${counts[state]}</span>`)}</p>
  </figure>`;
}

/**
 * One checklist's last months as bars (Chart.js, through the workspace's chart wrapper): the
 * month in the reader's language, no bar for a month with no data, and the running month
 * against what was due by now, labelled so.
 */
function Trend({ code, points, title }) {
  // "9月" / "Sep": the year only where it changes (January, or the first column).
  const name = (p, i) => (i === 0 || p.month.endsWith('-01') ? formatMonth(p.month, 'short') : monthOnly(p.month));
  const labels = points.map((p, i) => (p.pro_rated ? t('trend_month_so_far', { month: name(p, i) }) : name(p, i)));
  const values = points.map((p) => (p.rate === null ? null : Math.round(p.rate * 100)));
  const colors = points.map((p) => (p.rate !== null && p.rate >= 1 ? COLORS.ok : p.pro_rated ? COLORS.neutral : COLORS.miss));
  const words = points.map((p, i) => `${labels[i]} ${p.rate === null ? t('trend_no_data') : `${values[i]}%（${p.done}/${p.required}）`}`);
  const empty = points.every((p) => p.rate === null);
  return html`<figure class="trend" data-testid="trend" data-checklist=${code}>
    <figcaption class="small"><strong>${title}</strong></figcaption>
    ${empty ? html`<p class="small muted trend-empty" data-testid="trend-empty">${t('trend_none')}</p>` : html`<${Chart} type="bar" labels=${labels} height=${150} testid="trend-chart" label=${`${title}：${words.join('，')}`}
      datasets=${[{ label: title, data: values, backgroundColor: colors, maxBarThickness: 28 }]}
      options=${{ scales: { y: { min: 0, max: 100, ticks: { stepSize: 50, callback: (v) => `${v}%` } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => words[c.dataIndex] } } } }} />`}
  </figure>`;
}
