// The patrol's home: property switcher, due list, drafts, outbox, records returned for fixing,
// and the follow-ups assigned to this person. Everything here reads the phone's own copy, so it
// works with no signal.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { findChecklist } from '../shared/checklist.js';
import { deviceIdentifier } from '../shared/device.js';
import { EventState } from '../shared/followup-queue.js';
import { afterPaint, useSyncStatus } from '../shared/hooks.js';
import { formatTime, getLanguage, t, tx } from '../shared/i18n.js';
import { notices } from '../shared/notices.js';
import * as pulled from '../shared/pulled.js';
import * as records from '../shared/records.js';
import { RecordState } from '../shared/records.js';
import { go } from '../shared/router.js';
import { loadDueSnapshot, saveSession } from '../shared/session.js';
import * as sync from '../shared/sync.js';
import { startDraft } from './form.js';
import { dueFor, followUpsFor, isDone, isOverdue, lastReturn } from './rules.js';

/** Everything Home shows, read from IndexedDB; reloads after each sync. */
function useHomeData(propertyId) {
  const s = useSyncStatus();
  const [data, setData] = useState(() => {
    const due = loadDueSnapshot();
    return due && { due: dueFor(due, propertyId), records: [], returned: [],
      followUps: [], events: [], followUpsAvailable: false, partial: true };
  });
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const home = await pulled.readHome();
      if (!cancelled) setData({ ...home, due: dueFor(home.due, propertyId) });
    })();
    return () => { cancelled = true; };
  }, [propertyId, s.pendingRecords, s.pendingEvents, s.lastSync, s.running, s.pulledAt]);
  return data;
}

export function Home({ session, onLogout, onLanguage }) {
  const [propertyId, setPropertyId] = useState(session.propertyId);
  const data = useHomeData(propertyId);
  const memberships = session.user.properties || [];
  // For bench/pwa_bench.py: when the due list is on screen and usable.
  useEffect(() => { if (data) afterPaint(() => performance.mark('xuncha:due-ready')); }, [!!data]);
  const changeProperty = async (event) => {
    const id = Number(event.target.value);
    setPropertyId(id);
    session.propertyId = id;
    saveSession({ ...session, propertyId: id });
  };
  if (!data) return html`<p class="boot">${t('loading')}</p>`;
  const drafts = data.records.filter((r) => r.state === RecordState.DRAFT && r.property_id === propertyId);
  const outbox = data.records.filter(records.inOutbox);
  const lang = getLanguage();
  return html`<main class="screen home">
    <header class="topbar">
      <h1>${t('app')}</h1>
      <span class="small who">${session.user.display_name}</span>
      <button class="btn btn-small btn-ghost" onClick=${onLanguage} lang=${getLanguage() === 'en' ? 'zh-CN' : 'en'}>${t('language')}</button>
      <button class="btn btn-small btn-ghost" onClick=${onLogout}>${t('logout')}</button>
    </header>
    <label class="field property-switcher">${t('property')}
      <select value=${propertyId} onChange=${changeProperty} data-testid="property">
        ${memberships.map((m) => html`<option value=${m.property_id}>${lang === 'en' && m.name_en ? m.name_en : m.name}</option>`)}
      </select>
    </label>
    <button class="btn btn-primary btn-block" onClick=${() => go(`/new/${propertyId}`)} data-testid="new-inspection">
      ${t('new_inspection')}</button>
    <a class="btn btn-block" href=${`#/order/${propertyId}`} data-testid="new-work-order">${t('wo_new')}</a>

    <section class="card" aria-labelledby="due-h">
      <h2 id="due-h">${t('due_today')}</h2>
      ${!data.due.length && html`<p class="muted">${sync.status.lastSync ? t('no_due') : t('due_unavailable')}</p>`}
      <ul class="list" data-testid="due-list">
        ${data.due.map((entry) => html`<li>
          <button class="row-button" onClick=${() => startFromDue(entry, session)}>
            <span class="row-main">${tx(entry.label)}<br /><span class="small">${entry.subject && entry.subject.label}</span></span>
            <span class=${`badge ${isDone(entry) ? 'badge-ok' : 'badge-todo'}`}>
              ${isDone(entry) ? t('done') : t('not_done')} ${entry.done}/${entry.required}</span>
          </button></li>`)}
      </ul>
    </section>

    ${data.partial ? html`<p class="muted">${t('loading')}</p>` : html`
    <section class="card" aria-labelledby="drafts-h">
      <h2 id="drafts-h">${t('drafts')}</h2>
      ${!drafts.length && html`<p class="muted">${t('no_drafts')}</p>`}
      <ul class="list" data-testid="drafts">${drafts.map((r) => html`<li>
        <a class="row-button" href=${`#/form/${r.id}`}><span class="row-main">${tx(r.title)}<br />
          <span class="small">${r.subject_label} · ${t('started', { time: formatTime(r.started_at) })}</span></span></a></li>`)}
      </ul>
    </section>

    <${Outbox} records=${outbox} />

    <section class="card" aria-labelledby="ret-h">
      <h2 id="ret-h">${t('returned')}</h2>
      ${!data.returned.length && html`<p class="muted">${t('no_returned')}</p>`}
      <ul class="list" data-testid="returned">${data.returned.map((r) => html`<li>
        <button class="row-button" onClick=${() => reopenReturned(r, session)}>
          <span class="row-main">${r.checklist && r.checklist.code} · ${r.subject_label || (r.subject && (r.subject.label || r.subject.id))}
            <br /><span class="small">${t('revision', { n: r.revision })} ${reviewComment(r)}</span></span></button></li>`)}
      </ul>
    </section>

    <section class="card" aria-labelledby="fu-h">
      <h2 id="fu-h">${t('follow_ups')}</h2>
      ${data.counts && html`<p class="small" data-testid="notice-counts">${t('wo_counts', data.counts)}</p>`}
      ${queuedOrders(data.events) > 0 && html`<p class="small" data-testid="wo-queued">
        ${t('wo_queued', { n: queuedOrders(data.events) })}</p>`}
      ${data.events.filter((e) => e.action === sync.WORK_ORDER && e.state === EventState.REJECTED).map((e) => html`
        <div class="record-error" role="alert" data-testid="wo-refused"><p>${e.order.description}</p>
          <p><strong>${e.error && e.error.message}</strong></p>
          <div class="actions"><button class="btn btn-small" onClick=${() => sync.retryFollowUpEvent(e.id)}>
            ${t('retry')}</button><button class="btn btn-small" onClick=${() => sync.retryFollowUpEvent(e.id,
              { discard: true })}>${t('discard')}</button></div></div>`)}
      ${!data.followUpsAvailable && html`<p class="muted">${t('follow_ups_unavailable')}</p>`}
      ${data.followUpsAvailable && !data.followUps.length && html`<p class="muted">${t('no_follow_ups')}</p>`}
      <ul class="list" data-testid="follow-ups">${followUpsFor(data.followUps, propertyId).map((f) => {
          const queued = data.events.find((e) => e.follow_up_id === f.id);
          const refused = queued && queued.state === EventState.REJECTED;
          return html`<li class="row-static" data-testid="follow-up" data-followup-id=${f.id}>
          <span class="row-main">${f.description}<br />
            <span class="small">${f.subject_label} · ${t('due_by', { date: f.due_date })}</span></span>
          ${queued ? html`<span class=${`badge ${refused ? 'badge-error' : 'badge-todo'}`}
              data-testid="fu-queued">${t('fu_fix')} · ${refused ? t('event_rejected') : t('fu_pending')}</span>`
            : html`<span class=${`badge ${f.status === 'fixed' ? 'badge-ok' : isOverdue(f) ? 'badge-error' : 'badge-todo'}`}
              data-testid="fu-state">${t(`fu_${f.status}`)}${isOverdue(f) ? ` · ${t('overdue')}` : ''}</span>`}
          ${refused && html`<div class="record-error" role="alert">
            <p><strong>${queued.error && queued.error.message}</strong></p>
            <div class="actions"><button class="btn btn-small" onClick=${() => sync.retryFollowUpEvent(queued.id)}>
              ${t('retry')}</button><button class="btn btn-small" onClick=${() => sync.retryFollowUpEvent(queued.id,
                { discard: true })}>${t('discard')}</button></div></div>`}
          ${!queued && f.status === 'open' && html`<a class="btn btn-small" href=${`#/fix/${f.id}`}
            data-testid="fu-fix">${t('fu_fix')}</a>`}</li>`;
        })}
      </ul>
    </section>`}
  </main>`;
}

const queuedOrders = (events) => events.filter((e) => e.action === sync.WORK_ORDER).length;

function reviewComment(record) {
  const step = lastReturn(record);
  return step && step.comment ? `· ${t('review_comment')}: ${step.comment}` : '';
}

function Outbox({ records: list }) {
  return html`<section class="card" aria-labelledby="outbox-h" data-testid="outbox">
    <h2 id="outbox-h">${t('outbox')}</h2>
    ${!list.length && html`<p class="muted" data-testid="outbox-empty">${t('outbox_empty')}</p>`}
    <ul class="list">${list.map((r) => html`<li class="row-static" data-testid="outbox-record">
      <a class="row-main" href=${`#/form/${r.id}`}>${tx(r.title)} · ${r.subject_label}</a>
      <span class=${`badge ${r.state === RecordState.REJECTED ? 'badge-error' : 'badge-todo'}`}>
        ${r.state === RecordState.REJECTED ? t('status_rejected') : t('status_outbox')}</span>
      ${r.error && html`<div class="record-error" role="alert">
        <p>${t('rejected_help')}</p>
        <p><strong>${r.error.message}</strong> <span class="small">(${r.error.code})</span></p>
        ${Object.entries((r.error.details && r.error.details.items) || {}).map(([item, messages]) =>
          html`<p class="small">${item}: ${[].concat(messages).join('；')}</p>`)}
        <p>${t(r.error.action)}</p>
        <div class="actions">
          ${r.error.action === 'action_reopen' && html`<button class="btn btn-small" onClick=${() => reopenRefused(r)}>
            ${t('action_reopen')}</button>`}
          <button class="btn btn-small" onClick=${() => sync.retryRecord(r.id)}>${t('retry')}</button>
        </div></div>`}
    </li>`)}</ul>
  </section>`;
}

/** A refused record goes back to being a draft: signatures are removed, so it must be signed again. */
async function reopenRefused(record) {
  await records.reopen(record.id);
  await sync.refreshCounts();
  go(`/form/${record.id}`);
}

async function startFromDue(entry, session) {
  if (entry.subject.id == null) {  // a share of the households: pick which one
    go(`/new/${entry.property_id}/${entry.checklist_code}`);
    return;
  }
  const existing = await records.findDraft(entry.checklist_code, entry.subject);
  if (existing) { go(`/form/${existing.id}`); return; }
  const checklist = findChecklist(await pulled.allChecklists(), entry.checklist_code, entry.checklist_version);
  if (!checklist) { notices.set({ error: t('no_checklists') }); return; }
  const record = startDraft({ checklist, propertyId: entry.property_id, subject: entry.subject,
    subjectLabel: entry.subject.label, session, deviceId: await deviceIdentifier() });
  go(`/form/${record.id}`);
}

async function reopenReturned(returned, session) {
  const checklist = findChecklist(await pulled.allChecklists(), returned.checklist.code, returned.checklist.version);
  await records.draftFromReturned(returned, {
    title: checklist ? { 'zh-CN': checklist.title_zh, en: checklist.title_en } : returned.checklist.code,
    review: lastReturn(returned), inspector: session.user.username, deviceId: await deviceIdentifier(),
  });
  go(`/form/${returned.id}`);
}
