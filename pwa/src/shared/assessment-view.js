// A monthly staff assessment as people read it (員工月绩效考核): the four parts with their
// sub-items, each suggested score with the figures behind it, the scores and reasons, reward,
// penalty, total and, once acknowledged, the verification code. Shared by the staff member's
// phone screen and the supervisor's workspace (read-only there once submitted).
import { html } from 'htm/preact';
import { formatTime, t } from './i18n.js';

export const STATUS_BADGE = { draft: 'badge-todo', submitted: 'badge-todo', acknowledged: 'badge-ok' };

export const points = (value) => (value == null ? '—' : `${Number(value)}`);

export function StatusBadge({ status }) {
  return html`<span class=${`badge ${STATUS_BADGE[status] || 'badge-error'}`} data-testid="as-status"
    data-status=${status || 'none'}>${t(`as_status_${status || 'none'}`)}</span>`;
}

/** "建议 4.5 分 · 完成 27/30 项应做巡查" — or why there is no suggestion. */
export function Suggestion({ suggestion }) {
  if (!suggestion) return null;
  return html`<div class="as-suggestion small" data-testid="as-suggestion">
    ${suggestion.value != null && html`<strong>${t('as_suggested', { n: points(suggestion.value) })}</strong> · `}
    <span data-testid="as-figures">${suggestion.explanation}</span></div>`;
}

export function AssessmentSheet({ a }) {
  return html`<div data-testid="as-sheet">
    ${a.parts.map((part) => html`<section class="card as-part" data-part=${part.id}>
      <h2 class="as-part-head"><span>${part.label}</span>
        <span class="small">${t('as_part_points', { got: points(part.total), of: points(part.points) })}</span></h2>
      <ul class="list">${part.items.map((item) => html`<li class="as-item" data-item=${item.id}>
        <div class="as-item-head"><span class="row-main">${item.label}</span>
          <span class="as-score" data-testid="as-score">${t('as_score_of', { got: points(item.score), of: points(item.points) })}</span></div>
        <${Suggestion} suggestion=${item.suggestion} />
        ${item.reason && html`<p class="as-reason small">${t('as_reason')}: ${item.reason}</p>`}
      </li>`)}</ul></section>`)}
    <section class="card">
      <dl class="as-totals">
        <dt>${t('as_reward')}</dt><dd>${a.reward ? `+${a.reward} · ${a.reward_reason}` : t('as_none')}</dd>
        <dt>${t('as_penalty')}</dt><dd>${a.penalty ? `−${a.penalty} · ${a.penalty_reason}` : t('as_none')}</dd>
        <dt>${t('as_total')}</dt><dd class="as-total" data-testid="as-total">${points(a.total)} / ${points(a.full_marks)}</dd>
        ${a.comment && html`<dt>${t('as_comment')}</dt><dd>${a.comment}</dd>`}
        ${a.staff_remark && html`<dt>${t('as_remark')}</dt><dd data-testid="as-remark">${a.staff_remark}</dd>`}
        <dt>${t('as_assessor')}</dt><dd>${a.assessor.display_name}${a.submitted_at ? ` · ${formatTime(a.submitted_at)}` : ''}</dd>
        ${a.acknowledged_at && html`<dt>${t('as_acknowledged_at')}</dt><dd>${formatTime(a.acknowledged_at)}</dd>`}
      </dl>
      ${a.verification && html`<div class="as-code" data-testid="as-code">
        <div><strong>${t('as_verification')}</strong></div>
        <div class="hash">${a.verification.code}</div>
        <div class=${a.verification.holds ? 'small' : 'warn-text'}>${a.verification.state}</div>
        <div class="small">${t('as_kept_until', { month: a.retention_until })}</div></div>`}
    </section></div>`;
}
