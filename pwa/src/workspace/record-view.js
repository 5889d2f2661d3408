// One record laid out like its form, with its seal, both clocks, review (return or approve) and
// history.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, download } from '../shared/api.js';
import { isFailed } from '../shared/checklist.js';
import { formatTime, t, tx, zoneName } from '../shared/i18n.js';
import { isSupervising } from '../shared/roles.js';
import { AuthImage, Header, checklistTitle, propertyName, useCached } from './common.js';
import { statusBadge } from './records.js';

const minutes = (seconds) => Math.round(Math.abs(seconds) / 60);

/** One record laid out like its form, with review and history. */
export function RecordView({ id, session, pdfAvailable }) {
  const [record, setRecord] = useState(null);
  const [checklist, setChecklist] = useState(null);
  const [history, setHistory] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  const properties = useCached('/api/properties');
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const value = await api(`/api/inspections/${id}`);
        const [definition, trail] = await Promise.all([
          api(`/api/checklists/${value.checklist.code}/versions/${value.checklist.version}`),
          api(`/api/inspections/${id}/history`)]);
        if (!cancelled) { setRecord(value); setChecklist(definition); setHistory(trail); }
      } catch (err) { if (!cancelled) setError(err.message); }
    })();
    return () => { cancelled = true; };
  }, [id, tick]);
  if (error) return html`<main class="screen"><${Header} title=${t('record')} back="#/records" />
    <p class="error" role="alert">${error}</p></main>`;
  if (!record || !checklist) return html`<main class="screen"><p class="boot">${t('loading')}</p></main>`;
  const offset = record.device_clock_offset_seconds;
  const differs = offset != null && Math.abs(offset) > 300;
  const missing = (record.attachments && record.attachments.missing) || [];
  const canReview = isSupervising(session.user) && record.status === 'submitted';
  const lastReturn = [...(record.reviews || [])].reverse().find((r) => r.action === 'return');
  const property = (properties || []).find((p) => p.id === record.property_id);
  const zone = (property && property.timezone) || 'Asia/Shanghai';
  const where = [record.subject.type !== 'property' && record.subject.label, propertyName(property)]
    .filter(Boolean).join(' · ');
  const labels = itemLabels(checklist);
  return html`<main class="screen screen-wide" data-testid="record-view" data-record-id=${record.id}>
    <${Header} title=${`${checklistTitle(checklist)} · ${t('revision', { n: record.revision })}`} back="#/records" />
    <section class="card record-meta">
      <p>${statusBadge(record.status)}
        ${pdfAvailable && html` · <a href=${`/api/inspections/${record.id}/pdf`} onClick=${(e) => {
          e.preventDefault(); download(`/api/inspections/${record.id}/pdf`, `xuncha-${record.id}.pdf`);
        }} data-testid="pdf">${t('pdf')}</a>`}</p>
      <dl class="times">
        <dt>${t('subject')}</dt><dd data-testid="record-subject">${where}</dd>
        <dt>${t('inspector')}</dt><dd data-testid="record-inspector">${record.inspector.display_name}</dd>
        <dt>${t('started_at_label')}</dt><dd>${formatTime(record.started_at, zone)}</dd>
        <dt>${t('phone_time')}</dt><dd data-testid="phone-time">${formatTime(record.completed_at, zone)}</dd>
        <dt>${t('server_time')}</dt><dd data-testid="server-time">${formatTime(record.received_at, zone)}
          ${differs && html` <span class="badge badge-error" data-testid="clock-differs">⚠ ${t('time_differs',
            { m: minutes(offset) })}</span>`}
          ${record.late && html` <span class="badge badge-error" data-testid="late">${t('late')}</span>`}</dd>
        <dt>${t('seal_hash')}</dt><dd><span class=${`badge ${record.seal.verified ? 'badge-ok' : 'badge-error'}`}
          data-testid="seal-status">${record.seal.verified ? t('seal_ok') : t('seal_bad')}</span>
          <code class="hash">${record.seal.hash}</code></dd>
      </dl>
      <p class="small" data-testid="zone-note">${t('times_in_zone', { zone: zoneName(zone) })}</p>
      ${missing.length > 0 && html`<p class="notice notice-error" data-testid="missing">
        ${t('missing_attachments', { n: missing.length })}</p>`}
      ${lastReturn && record.status === 'returned' && html`<p class="review-note">${t('review_comment')}: ${lastReturn.comment}</p>`}
    </section>
    <${ReviewableAnswers} record=${record} checklist=${checklist} canReview=${canReview} missing=${missing}
      zone=${zone} onReviewed=${() => setTick(tick + 1)} />
    ${history && html`<${History} history=${history} labels=${labels} zone=${zone} />`}
  </main>`;
}

/** Item id → its label, for the history's per-item comments. */
function itemLabels(checklist) {
  const labels = {};
  for (const section of checklist.definition.sections) for (const item of section.items) labels[item.id] = tx(item.label);
  return labels;
}

function answerText(item, answer) {
  if (!answer || answer.value === undefined || answer.value === null || answer.value === '') return '';
  const value = answer.value;
  if (['pass', 'fail', 'na', 'yes', 'no'].includes(value) && (item.type === 'pass_fail' || item.type === 'yes_no')) {
    return t(value);
  }
  if (item.options) {
    const label = (v) => { const o = item.options.find((x) => x.value === v); return o ? tx(o.label) : v; };
    return Array.isArray(value) ? value.map(label).join('、') : label(value);
  }
  return `${value}${item.unit ? ` ${tx(item.unit)}` : ''}`;
}

function PhotoList({ photos, missing }) {
  if (!photos || !photos.length) return null;
  return html`<div class="thumbs">${photos.map((p) => (missing.includes(p.sha256)
    ? html`<span class="badge badge-error" data-testid="missing-photo">${t('missing_attachments', { n: 1 })}</span>`
    : html`<${AuthImage} key=${p.sha256} sha256=${p.sha256} alt=${t('photos')} />`))}</div>`;
}

function ReviewableAnswers({ record, checklist, canReview, missing, zone, onReviewed }) {
  const [comments, setComments] = useState({});
  const [open, setOpen] = useState({});  // the items the supervisor chose to comment on
  const [overall, setOverall] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);
  const send = async (action) => {
    const itemComments = Object.fromEntries(Object.entries(comments).filter(([, v]) => v.trim()));
    if (action === 'return' && !overall.trim() && !Object.keys(itemComments).length) {
      setMessage({ error: true, text: t('return_needs_comment') });
      return;
    }
    setBusy(true);
    try {
      await api(`/api/inspections/${record.id}/review`, { method: 'POST', json: {
        action, revision: record.revision, comment: overall.trim() || null, item_comments: itemComments } });
      setMessage({ error: false, text: t('reviewed_ok') });
      onReviewed();
    } catch (err) {
      setMessage({ error: true, text: err instanceof ApiError ? err.message : String(err.message) });
    } finally { setBusy(false); }
  };
  const answers = record.answers || {};
  return html`
    ${checklist.definition.sections.map((section) => html`<section class="card">
      <h2>${tx(section.title)}</h2>
      ${section.items.map((item) => {
        const answer = answers[item.id];
        const failed = isFailed(item, answer);
        const text = answerText(item, answer);
        return html`<div class=${`item ${failed ? 'item-failed-view' : ''}`} data-item=${item.id}
            data-failed=${failed ? 'true' : 'false'}>
          <div class="item-label">${tx(item.label)}</div>
          ${text && html`<p class="answer">${failed ? html`<span class="badge badge-error">${text}</span>` : text}</p>`}
          ${!answer && html`<p class="small">${t('no_answer')}</p>`}
          ${answer && answer.comment && html`<p class="small">${t('comment')}: ${answer.comment}</p>`}
          ${answer && html`<${PhotoList} photos=${answer.photos} missing=${missing} />`}
          ${answer && answer.signature && html`<figure class="signature-image">
            ${missing.includes(answer.signature.sha256)
              ? html`<span class="badge badge-error">${t('missing_attachments', { n: 1 })}</span>`
              : html`<${AuthImage} sha256=${answer.signature.sha256} variant="display" alt=${t('signature')}
                  zoom=${false} className="sig-img" />`}
            <figcaption class="small">${answer.signature.signer_name}
              · ${t('signed_at', { time: formatTime(answer.signature.signed_at, zone) })}</figcaption></figure>`}
          ${answer && answer.signer_unavailable && html`<p class="absent-reason" data-testid=${`absent-${item.id}`}>
            ${t('signer_unavailable_shown', { reason: answer.signer_unavailable })}</p>`}
          ${answer && answer.rows && html`<ul class="register-rows">${Object.entries(answer.rows).map(([key, row]) => html`
            <li class="register-row"><strong>${(record.row_labels || {})[key] || t('item')}</strong>
              ${(item.row_options || []).map((o) => (o.value === row.value
              ? html`<span class=${`badge ${(item.row_fail_values || []).includes(row.value) ? 'badge-error' : 'badge-ok'}`}>
                  ${tx(o.label)}</span>` : ''))}
              ${row.comment && html`<span class="small"> ${row.comment}</span>`}
              <${PhotoList} photos=${row.photos} missing=${missing} /></li>`)}</ul>`}
          ${canReview && !open[item.id] && html`<button class="btn btn-small btn-ghost" data-testid=${`review-open-${item.id}`}
            onClick=${() => setOpen({ ...open, [item.id]: true })}>${t('add_item_comment')}</button>`}
          ${canReview && open[item.id] && html`<${CommentBox} itemId=${item.id} value=${comments[item.id] || ''}
            onInput=${(value) => setComments({ ...comments, [item.id]: value })} />`}
        </div>`;
      })}
    </section>`)}
    ${canReview && html`<section class="card review-box" data-testid="review-box">
      <h2>${t('review')}</h2>
      <label class="field">${t('review_overall')}<textarea rows="2" value=${overall}
        onInput=${(e) => setOverall(e.target.value)} data-testid="review-comment-input"></textarea></label>
      ${message && html`<p class=${message.error ? 'error' : 'small'} role="alert">${message.text}</p>`}
      <div class="actions">
        <button class="btn btn-primary" disabled=${busy} onClick=${() => send('approve')} data-testid="approve">
          ${t('approve')}</button>
        <button class="btn" disabled=${busy} onClick=${() => send('return')} data-testid="return">
          ${t('return_record')}</button>
      </div>
    </section>`}
    ${!canReview && message && html`<p class="small" role="status">${message.text}</p>`}`;
}

/** The comment on one item, opened by the supervisor's choice and ready to type in. */
function CommentBox({ itemId, value, onInput }) {
  const box = useRef(null);
  useEffect(() => { box.current.focus(); }, []);
  return html`<label class="field small review-field">${t('item_comment')}
    <textarea ref=${box} rows="2" value=${value} data-testid=${`review-item-${itemId}`}
      onInput=${(e) => onInput(e.target.value)}></textarea></label>`;
}

function History({ history, labels, zone }) {
  const steps = [
    ...history.revisions.map((r) => ({ at: r.received_at, text: t('history_revision', { n: r.revision }),
      detail: r.device_clock_offset_seconds != null && Math.abs(r.device_clock_offset_seconds) > 300
        ? `⚠ ${t('time_differs', { m: minutes(r.device_clock_offset_seconds) })}` : '' })),
    ...history.reviews.map((r) => ({ at: r.created_at,
      text: t('history_review', { who: r.actor.display_name, action: t(`act_${r.action}`) }),
      detail: [r.comment, ...Object.entries(r.item_comments || {}).map(([k, v]) => `${labels[k] || t('item')}：${v}`)]
        .filter(Boolean).join(' · ') })),
  ].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  return html`<section class="card" data-testid="history"><h2>${t('history')}</h2>
    <ol class="timeline">${steps.map((s) => html`<li><span class="small">${formatTime(s.at, zone)}</span>
      ${s.text}${s.detail && html`<br /><span class="small">${s.detail}</span>`}</li>`)}</ol></section>`;
}

/** Month-by-month compliance per property: a table, a bar per rule, a 6-month trend per checklist. */
