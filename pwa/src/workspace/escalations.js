// The project manager's escalation queue: "告知项目经理" answers, 群诉风险 complaints and work
// orders long overdue. The manager acknowledges each with a comment; supervisors see the queue.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { formatTime, t } from '../shared/i18n.js';
import { propertyName, ZoneNote, zoneOf } from './common.js';

export function Escalations({ session, mayAcknowledge }) {
  const [openOnly, setOpenOnly] = useState(true);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [properties, setProperties] = useState([]);
  const [tick, setTick] = useState(0);
  useEffect(() => { api('/api/properties').then(setProperties).catch(() => {}); }, []);
  useEffect(() => {
    api(`/api/followups/escalations?per_page=100${openOnly ? '&open=true' : ''}`)
      .then((value) => { setData(value); setError(null); }).catch((err) => setError(err.message));
  }, [openOnly, tick]);
  const acknowledging = mayAcknowledge(session.user);
  return html`<main class="screen screen-wide" data-testid="escalations">
    <header class="topbar"><h1>${t('esc_title')}</h1></header>
    <div class="card"><label class="check"><input type="checkbox" checked=${openOnly}
      onChange=${(e) => setOpenOnly(e.target.checked)} data-testid="esc-open-only" /> ${t('esc_open_only')}</label>
      ${data && html`<p class="small" data-testid="esc-count">${t('esc_count', { n: data.items.filter((e) => !e.acknowledged_at).length })}</p>`}</div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data ? html`<p class="muted">${t('loading')}</p>` : html`
      ${!data.items.length && html`<p class="muted">${t('esc_none')}</p>`}
      ${data.items.length > 0 && html`<${ZoneNote} zones=${data.items.map((e) => zoneOf(properties, e.property_id))} />`}
      <ul class="list card" data-testid="esc-list">${data.items.map((e) => html`<li class="row-static"
          data-testid="esc-row" data-reason=${e.reason}>
        <span class="row-main"><span class=${`badge ${e.acknowledged_at ? 'badge-ok' : 'badge-error'}`}>
          ${t(`esc_reason_${e.reason}`)}</span> ${e.summary}<br />
          <span class="small">${e.subject_label} · ${propertyName(properties.find((p) => p.id === e.property_id))}
            · ${formatTime(e.raised_at, zoneOf(properties, e.property_id))}</span>
          ${e.follow_up_id && html` <a class="small" href=${`#/followup/${e.follow_up_id}`}>${t('esc_open_order')}</a>`}
          ${e.acknowledged_at && html`<br /><span class="small" data-testid="esc-ack">${t('esc_acknowledged', {
            name: e.acknowledged_by ? e.acknowledged_by.display_name : '', time: formatTime(e.acknowledged_at, zoneOf(properties, e.property_id)) })}
            · ${e.comment}</span>`}</span>
        ${!e.acknowledged_at && acknowledging && html`<${Acknowledge} entry=${e} onDone=${() => setTick(tick + 1)} />`}
      </li>`)}</ul>`}
  </main>`;
}

function Acknowledge({ entry, onDone }) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!comment.trim()) { setError(t('esc_comment_required')); return; }
    setBusy(true);
    try {
      await api(`/api/followups/escalations/${entry.id}/acknowledge`, { method: 'POST', json: { comment: comment.trim() } });
      onDone();
    } catch (err) { setError(err.message); } finally { setBusy(false); }
  };
  return html`<div class="esc-ack">
    <label class="field">${t('esc_comment')}<textarea rows="2" value=${comment} onInput=${(e) => setComment(e.target.value)}
      data-testid="esc-comment"></textarea></label>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button class="btn btn-small btn-primary" disabled=${busy} onClick=${submit} data-testid="esc-acknowledge">
      ${t('esc_acknowledge')}</button></div>`;
}
