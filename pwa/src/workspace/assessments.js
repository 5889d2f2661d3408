// Monthly staff assessments (员工月绩效考核) for supervisors and managers: the staff of a
// property for a month with where each assessment stands, and the form itself — each sub-item
// with its suggested score and the figures behind it, the score, a reason where the score
// differs from the suggestion, reward and penalty within the form's bounds, then submit to the
// staff member. Once submitted it is read-only (it can be taken back until acknowledged); once
// acknowledged it can be printed. The year-end figure sits under the form.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, download } from '../shared/api.js';
import { AssessmentSheet, StatusBadge, Suggestion, points } from '../shared/assessment-view.js';
import { formatMonth, getLanguage, t } from '../shared/i18n.js';
import { go, hashQuery, queryString } from '../shared/router.js';
import { monthIn, recentMonths } from '../shared/time.js';
import { Header, propertyName, useCached } from './common.js';

/** The month before this one: the month a supervisor assesses at the start of the next. */
const lastMonth = () => recentMonths(monthIn(), 2)[1];

export function Assessments() {
  const initial = hashQuery();
  const properties = useCached('/api/properties') || [];
  const [month, setMonth] = useState(initial.month || lastMonth());
  const [propertyId, setPropertyId] = useState(initial.property_id || '');
  const [grid, setGrid] = useState(null);
  const [error, setError] = useState(null);
  const chosen = propertyId || (properties[0] && String(properties[0].id)) || '';
  useEffect(() => {
    if (!chosen) return undefined;
    let cancelled = false;
    setGrid(null);
    api(`/api/assessments/staff?${queryString({ property_id: chosen, month })}`)
      .then((value) => { if (!cancelled) { setGrid(value); setError(null); } })
      .catch((err) => !cancelled && setError(err.message));
    return () => { cancelled = true; };
  }, [chosen, month]);
  const open = async (staffId) => {
    setError(null);
    try {
      const a = await api('/api/assessments', { method: 'POST', json: {
        property_id: Number(chosen), staff_id: staffId, month } });
      go(`/assessment/${a.id}`);
    } catch (err) { setError(err.message); }
  };
  return html`<main class="screen screen-wide" data-testid="assessments">
    <${Header} title=${t('as_title')} />
    <div class="card filter-grid">
      <label class="field">${t('month')}<select value=${month}
        onChange=${(e) => setMonth(e.target.value)} data-testid="as-month">
        ${[...new Set([...recentMonths(monthIn()), month])].sort().reverse().map((m) => html`<option value=${m}>
          ${formatMonth(m)}</option>`)}</select></label>
      <label class="field">${t('property')}<select value=${chosen} onChange=${(e) => setPropertyId(e.target.value)}
          data-testid="as-property">
        ${properties.map((p) => html`<option value=${p.id}>${propertyName(p)}</option>`)}</select></label>
    </div>
    <p class="small">${t('as_list_help')}</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!grid ? html`<p class="muted">${t('loading')}</p>` : !grid.rows.length ? html`<p class="muted">${t('no_staff')}</p>`
      : html`<ul class="list card" data-testid="as-grid">${grid.rows.map((row) => html`<li class="row-with-action"
          data-testid="as-row" data-staff=${row.staff.display_name}>
        <span class="row-main">${row.staff.display_name}
          ${row.assessment && row.assessment.total != null && html`<span class="small"> · ${t('as_total')} ${points(row.assessment.total)}</span>`}</span>
        <${StatusBadge} status=${row.assessment && row.assessment.status} />
        <button class="btn btn-small" onClick=${() => (row.assessment ? go(`/assessment/${row.assessment.id}`) : open(row.staff.id))}
          data-testid="as-open">${row.assessment ? t('as_open') : t('as_start')}</button></li>`)}</ul>`}
  </main>`;
}

/** Field errors of a refusal, by the server's field name ("scores.attendance", "reward"). */
function fieldErrors(err) {
  const fields = (err && err.details && err.details.fields) || {};
  return Object.fromEntries(Object.entries(fields).map(([key, list]) => [key, Array.isArray(list) ? list.join(' ') : String(list)]));
}

function FieldError({ errors, name }) {
  return errors[name] ? html`<p class="error row-error" role="alert" data-testid="as-field-error"
    data-field=${name}>${errors[name]}</p>` : null;
}

const asNumber = (text) => (text === '' || text == null ? null : Number(text));

export function AssessmentEdit({ id }) {
  const [a, setA] = useState(null);
  const [form, setForm] = useState(null);
  const [errors, setErrors] = useState({});
  const [message, setMessage] = useState(null);
  const [busy, setBusy] = useState(false);
  const fill = (value) => {
    setA(value);
    const scores = {};
    const reasons = {};
    value.parts.forEach((part) => part.items.forEach((item) => {
      scores[item.id] = item.score == null ? '' : String(item.score);
      reasons[item.id] = item.reason || '';
    }));
    setForm({ scores, reasons, reward: value.reward == null ? '' : String(value.reward), reward_reason: value.reward_reason || '',
      penalty: value.penalty == null ? '' : String(value.penalty), penalty_reason: value.penalty_reason || '', comment: value.comment || '' });
  };
  useEffect(() => {
    api(`/api/assessments/${id}`).then(fill).catch((err) => setMessage({ text: err.message, ok: false }));
  }, [id]);
  if (!a || !form) return html`<main class="screen"><${Header} title=${t('as_title')} back="#/assessments" />
    ${message ? html`<p class="error" role="alert">${message.text}</p>` : html`<p class="muted">${t('loading')}</p>`}</main>`;

  const set = (group, key) => (e) => setForm({ ...form, [group]: { ...form[group], [key]: e.target.value } });
  const setOne = (key) => (e) => setForm({ ...form, [key]: e.target.value });
  const body = () => ({
    scores: Object.fromEntries(Object.entries(form.scores).map(([k, v]) => [k, asNumber(v)])),
    reasons: Object.fromEntries(Object.entries(form.reasons).map(([k, v]) => [k, v.trim() || null])),
    reward: asNumber(form.reward), reward_reason: form.reward_reason.trim() || null,
    penalty: asNumber(form.penalty), penalty_reason: form.penalty_reason.trim() || null,
    comment: form.comment.trim() || null,
  });
  const act = async (steps, done) => {
    setBusy(true);
    setErrors({});
    setMessage(null);
    try {
      let value;
      for (const step of steps) value = await step();
      fill(value);
      setMessage(done && { text: done, ok: true });
    } catch (err) {
      setErrors(fieldErrors(err));
      setMessage({ text: err instanceof ApiError ? err.message : t('as_needs_network'), ok: false });
    } finally { setBusy(false); }
  };
  const save = () => api(`/api/assessments/${id}`, { method: 'PATCH', json: body() });
  const submit = () => api(`/api/assessments/${id}/submit`, { method: 'POST' });
  const withdraw = () => api(`/api/assessments/${id}/withdraw`, { method: 'POST' });
  const editing = a.editable;
  const liveTotal = () => {
    const values = Object.values(form.scores).map(asNumber);
    if (values.some((v) => v == null || Number.isNaN(v))) return null;
    return values.reduce((s, v) => s + v, 0) + (asNumber(form.reward) || 0) - (asNumber(form.penalty) || 0);
  };
  const differs = (item) => {
    const value = asNumber(form.scores[item.id]);
    return item.suggestion && item.suggestion.value != null && value != null && value !== item.suggestion.value;
  };
  return html`<main class="screen screen-wide" data-testid="assessment-edit">
    <${Header} title=${t('as_title')} back=${`#/assessments?${queryString({ property_id: a.property_id, month: a.month })}`} />
    <div class="card"><p class="subject-line"><strong data-testid="as-staff">${a.staff.display_name}</strong>
      · ${formatMonth(a.month)} · ${a.property_name}</p><${StatusBadge} status=${a.status} />
      <p class="small">${t(`as_help_${a.status}`)}</p></div>
    ${!editing ? html`<${AssessmentSheet} a=${a} />` : html`
      ${a.parts.map((part) => html`<section class="card as-part" data-part=${part.id}>
        <h2 class="as-part-head"><span>${part.label}</span><span class="small">${t('as_points', { n: points(part.points) })}</span></h2>
        ${part.items.map((item) => html`<div class="as-item" data-item=${item.id}>
          <label class="as-item-head"><span class="row-main">${item.label}</span>
            <span class="as-input"><input type="number" inputmode="decimal" min="0" max=${item.points} step=${a.step}
              value=${form.scores[item.id]} onInput=${set('scores', item.id)} aria-label=${item.label}
              data-testid=${`as-score-${item.id}`} /> / ${points(item.points)}</span></label>
          <${Suggestion} suggestion=${item.suggestion} />
          <${FieldError} errors=${errors} name=${`scores.${item.id}`} />
          ${(differs(item) || form.reasons[item.id]) && html`<label class="field as-reason-field">${t('as_reason_label')}
            <textarea rows="2" maxlength="1000" value=${form.reasons[item.id]} onInput=${set('reasons', item.id)}
              data-testid=${`as-reason-${item.id}`}></textarea></label>`}
          <${FieldError} errors=${errors} name=${`reasons.${item.id}`} />
        </div>`)}</section>`)}
      <section class="card">
        <h2>${t('as_bonus_title')}</h2>
        <div class="filter-grid">
          <label class="field">${t('as_reward_label', { min: a.bounds.reward.min, max: a.bounds.reward.max })}
            <input type="number" inputmode="numeric" step="1" value=${form.reward} onInput=${setOne('reward')} data-testid="as-reward" /></label>
          <label class="field">${t('as_reward_reason')}<input value=${form.reward_reason} maxlength="1000"
            onInput=${setOne('reward_reason')} data-testid="as-reward-reason" /></label>
        </div>
        <${FieldError} errors=${errors} name="reward" /><${FieldError} errors=${errors} name="reward_reason" />
        <div class="filter-grid">
          <label class="field">${t('as_penalty_label', { min: a.bounds.penalty.min, max: a.bounds.penalty.max })}
            <input type="number" inputmode="numeric" step="1" value=${form.penalty} onInput=${setOne('penalty')} data-testid="as-penalty" /></label>
          <label class="field">${t('as_penalty_reason')}<input value=${form.penalty_reason} maxlength="1000"
            onInput=${setOne('penalty_reason')} data-testid="as-penalty-reason" /></label>
        </div>
        <${FieldError} errors=${errors} name="penalty" /><${FieldError} errors=${errors} name="penalty_reason" />
        <label class="field">${t('as_comment')}<textarea rows="2" maxlength="1000" value=${form.comment}
          onInput=${setOne('comment')} data-testid="as-comment"></textarea></label>
        <p class="as-total-line">${t('as_total')} <strong data-testid="as-live-total">${points(liveTotal())}</strong> / ${points(a.full_marks)}</p>
      </section>`}
    ${message && html`<p class=${message.ok ? 'notice notice-ok' : 'error'} role="alert"
      data-testid="as-message">${message.text}</p>`}
    <div class="actions form-footer">
      ${editing && html`<button class="btn" disabled=${busy} onClick=${() => act([save], t('as_saved'))} data-testid="as-save">${t('as_save')}</button>
        <button class="btn btn-primary" disabled=${busy} onClick=${() => act([save, submit], t('as_submitted_note'))}
          data-testid="as-submit">${t('as_submit')}</button>`}
      ${a.status === 'submitted' && html`<button class="btn" disabled=${busy} onClick=${() => act([withdraw], null)}
        data-testid="as-withdraw">${t('as_withdraw')}</button>`}
      ${a.status === 'acknowledged' && html`<button class="btn" onClick=${() => download(`/api/assessments/${id}/pdf?lang=${getLanguage()}`,
        `assessment-${a.month}-${a.id}.pdf`).catch((err) => setMessage({ text: err.message, ok: false }))} data-testid="as-pdf">${t('as_pdf')}</button>`}
    </div>
    <${YearEnd} a=${a} />
  </main>`;
}

/** Seed 002 §4.6: 20% weekly and monthly checks, 30% monthly assessments, 50% year-end. */
function YearEnd({ a }) {
  const year = Number(a.month.slice(0, 4));
  const [data, setData] = useState(null);
  const [checks, setChecks] = useState('');
  const [yearEnd, setYearEnd] = useState('');
  const [error, setError] = useState(null);
  const show = (value) => {
    setData(value);
    setChecks(value.inputs.checks == null ? '' : String(value.inputs.checks));
    setYearEnd(value.inputs.year_end == null ? '' : String(value.inputs.year_end));
  };
  useEffect(() => {
    api(`/api/assessments/year-end?${queryString({ property_id: a.property_id, staff_id: a.staff.id, year })}`)
      .then(show).catch((err) => setError(err.message));
  }, [a.id, a.status]);
  const save = async () => {
    setError(null);
    try {
      show(await api('/api/assessments/year-end', { method: 'PUT', json: { property_id: a.property_id,
        staff_id: a.staff.id, year, checks_score: asNumber(checks), year_end_score: asNumber(yearEnd) } }));
    } catch (err) { setError(err.message); }
  };
  if (!data) return error ? html`<p class="error" role="alert">${error}</p>` : null;
  const line = (name, value) => html`<li class="row-static" data-testid="ye-input" data-input=${name}>
    <span class="row-main">${t(`ye_${name}`)} · ${data.weights[name]}%</span>
    <span>${value == null ? html`<span class="badge badge-todo">${t('ye_missing')}</span>` : points(value)}</span></li>`;
  return html`<section class="card" data-testid="year-end">
    <h2>${t('ye_title', { year })}</h2>
    <ul class="list">${line('checks', data.inputs.checks)}${line('monthly', data.inputs.monthly)}${line('year_end', data.inputs.year_end)}</ul>
    <p class="small">${t('ye_months', { n: data.months_sealed })}</p>
    <p data-testid="ye-figure">${data.figure == null ? t('ye_incomplete') : html`${t('ye_figure')} <strong>${points(data.figure)}</strong>`}</p>
    <div class="filter-grid">
      <label class="field">${t('ye_checks')}<input type="number" inputmode="decimal" min="0" max="110" step="0.1" value=${checks}
        onInput=${(e) => setChecks(e.target.value)} data-testid="ye-checks" /></label>
      <label class="field">${t('ye_year_end')}<input type="number" inputmode="decimal" min="0" max="110" step="0.1" value=${yearEnd}
        onInput=${(e) => setYearEnd(e.target.value)} data-testid="ye-year-end" /></label>
      <div class="filter-actions"><button class="btn" onClick=${save} data-testid="ye-save">${t('ye_save')}</button></div>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </section>`;
}
