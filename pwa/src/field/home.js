// The patrol's home: property switcher, due list, drafts, outbox, records returned for fixing,
// and the follow-ups assigned to this person. Everything here reads the phone's own copy, so it
// works with no signal.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { findChecklist, items } from '../shared/checklist.js';
import { deviceIdentifier } from '../shared/device.js';
import { EventState } from '../shared/followup-queue.js';
import { afterPaint, useSyncStatus } from '../shared/hooks.js';
import { formatTime, getLanguage, localName, t, tx } from '../shared/i18n.js';
import { todayIso } from '../shared/time.js';
import { notices } from '../shared/notices.js';
import * as pulled from '../shared/pulled.js';
import * as records from '../shared/records.js';
import { RecordState } from '../shared/records.js';
import { go } from '../shared/router.js';
import { loadDueSnapshot, saveSession } from '../shared/session.js';
import * as sync from '../shared/sync.js';
import { startDraft } from './form.js';
import { dueFor, followUpsFor, groupDue, isDone, isOverdue, lastReturn, withLocalWork } from './rules.js';

/** Everything Home shows, read from IndexedDB; reloads after each sync. */
function useHomeData(propertyId) {
  const s = useSyncStatus();
  const [data, setData] = useState(() => {
    const due = loadDueSnapshot();
    return due && { due: dueFor(due, propertyId).map((entry) => withLocalWork(entry, [], [])), records: [], returned: [],
      followUps: [], events: [], followUpsAvailable: false, partial: true };
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const [home, property, checklists] = await Promise.all([pulled.readHome(), pulled.property(propertyId),
        pulled.allChecklists()]);
      const zone = property && property.timezone;
      const due = dueFor(home.due, propertyId).map((entry) => withLocalWork(entry, home.records, home.sent));
      if (!cancelled) setData({ ...home, due, zone, checklists, titles: checklistTitles(checklists) });
    })();
    return () => { cancelled = true; };
  }, [propertyId, s.pendingRecords, s.pendingEvents, s.lastSync, s.running, s.pulledAt, tick]);
  return [data, () => setTick((n) => n + 1)];
}

export function Home({ session, onLogout, onLanguage }) {
  const [propertyId, setPropertyId] = useState(session.propertyId);
  const [data, reload] = useHomeData(propertyId);
  const [choice, setChoice] = useState(null);
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
  const today = todayIso(data.zone);
  const membership = memberships.find((m) => m.property_id === propertyId);
  const propertyLabel = localName(membership);
  return html`<main class="screen home">
    <header class="topbar">
      <h1>${t('app')}</h1>
      <span class="small who">${session.user.display_name}</span>
      <button class="btn btn-small btn-ghost" onClick=${onLanguage} lang=${getLanguage() === 'en' ? 'zh-CN' : 'en'}>${t('language')}</button>
      <button class="btn btn-small btn-ghost" onClick=${onLogout}>${t('logout')}</button>
    </header>
    <label class="field property-switcher">${t('property')}
      <select value=${propertyId} onChange=${changeProperty} data-testid="property">
        ${memberships.map((m) => html`<option value=${m.property_id}>${localName(m)}</option>`)}
      </select>
    </label>
    <button class="btn btn-primary btn-block" onClick=${() => go(`/new/${propertyId}`)} data-testid="new-inspection">
      ${t('new_inspection')}</button>
    <a class="btn btn-block" href=${`#/order/${propertyId}`} data-testid="new-work-order">${t('wo_new')}</a>

    <section class="card" aria-labelledby="due-h">
      <h2 id="due-h">${t('due_title')}</h2>
      ${!data.due.length && html`<p class="muted">${sync.status.lastSync ? t('no_due') : t('due_unavailable')}</p>`}
      <div data-testid="due-list">${groupDue(data.due).map((group) => html`<section class="due-group"
          aria-labelledby=${`due-${group.period}`} data-period=${group.period}>
        <h3 id=${`due-${group.period}`}>${t(`due_${group.period}`)}
          <span class="small muted" data-testid="due-progress">${t('due_progress', { done: group.done, total: group.total })}</span></h3>
        <ul class="list">
        ${group.entries.map((entry) => {
          const key = dueKey(entry);
          const title = data.titles ? tx(data.titles[entry.checklist_code] || entry.label) : tx(entry.label);
          // A share of households (no one subject) is the property's; its rule says which share.
          const where = (entry.subject.id != null && entry.subject.label) || propertyLabel;
          return html`<li data-testid="due-entry" data-done=${isDone(entry)}>
          <button class="row-button" aria-expanded=${choice === key}
            onClick=${() => (needsChoice(entry) ? setChoice(choice === key ? null : key) : startFromDue(entry, session))}>
            <span class="row-main"><span data-testid="due-name">${title} · ${where}</span><br />
              <span class="small">${tx(entry.label)}</span>
              ${entry.window && html`<br /><span class="small" data-testid="due-window">
                ${t('due_window', { from: entry.window.from, to: entry.window.to })}</span>`}</span>
            <span class=${`badge ${isDone(entry) ? 'badge-ok' : 'badge-todo'}`} data-testid="due-count">
              ${isDone(entry) ? t('done') : entry.drafts.length ? t('in_progress') : t('not_done')} ${entry.done}/${entry.required}</span>
          </button>
          ${(entry.waiting.length > 0 || entry.drafts.length > 0) && html`<p class="small due-local">
            ${entry.waiting.length > 0 && t('due_waiting', { n: entry.waiting.length })}
            ${entry.waiting.length > 0 && entry.drafts.length > 0 && ' · '}
            ${entry.drafts.length > 0 && t('due_draft', { time: formatTime(entry.drafts[0].started_at, data.zone) })}</p>`}
          ${choice === key && html`<${DueChoice} entry=${entry} session=${session} onClose=${() => setChoice(null)} />`}
          </li>`;
        })}
        </ul></section>`)}
      </div>
    </section>

    ${data.partial ? html`<p class="muted">${t('loading')}</p>` : html`
    <section class="card" aria-labelledby="drafts-h">
      <h2 id="drafts-h">${t('drafts')}</h2>
      ${!drafts.length && html`<p class="muted">${t('no_drafts')}</p>`}
      <ul class="list" data-testid="drafts">${drafts.map((r) => html`<li class="row-with-action" data-testid="draft">
        <a class="row-button" href=${`#/form/${r.id}`}><span class="row-main">${tx(r.title)}<br />
          <span class="small">${r.subject_label} · ${t('started', { time: formatTime(r.started_at, data.zone) })}</span></span></a>
        <${Discard} record=${r} question=${t('discard_draft_confirm')} label=${t('discard_draft')} onDone=${reload} /></li>`)}
      </ul>
    </section>

    <${Outbox} records=${outbox} checklists=${data.checklists} onChange=${reload} />

    <section class="card" aria-labelledby="ret-h">
      <h2 id="ret-h">${t('returned')}</h2>
      ${!data.returned.length && html`<p class="muted">${t('no_returned')}</p>`}
      <ul class="list" data-testid="returned">${data.returned.map((r) => html`<li>
        <button class="row-button" onClick=${() => reopenReturned(r, session, propertyLabel)}>
          <span class="row-main">${tx(data.titles[r.checklist.code] || r.checklist.code)} · ${(r.subject && r.subject.label) || propertyLabel}
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
          const steps = data.events.filter((e) => e.follow_up_id === f.id && e.action !== sync.WORK_ORDER);
          const refused = steps.find((e) => e.state === EventState.REJECTED);
          const fixQueued = steps.some((e) => e.action === 'fix');
          return html`<li class="row-static" data-testid="follow-up" data-followup-id=${f.id}>
          <span class="row-main">${f.description}<br />
            <span class="small">${f.subject_label} · ${t('due_by', { date: f.due_date })}</span></span>
          ${steps.map((e) => html`<span class=${`badge ${e.state === EventState.REJECTED ? 'badge-error' : 'badge-todo'}`}
              data-testid="fu-queued">${t(e.action === 'contact' ? 'fu_contact_step' : 'fu_fix')} · ${
                e.state === EventState.REJECTED ? t('event_rejected') : t('fu_pending')}</span>`)}
          ${!fixQueued && html`<span class=${`badge ${f.status === 'fixed' ? 'badge-ok' : isOverdue(f, today) ? 'badge-error' : 'badge-todo'}`}
              data-testid="fu-state">${t(`fu_${f.status}`)}${isOverdue(f, today) ? ` · ${t('overdue')}` : ''}</span>`}
          ${f.needs_contact && !steps.some((e) => e.action === 'contact') && html`<span class="badge badge-error"
              data-testid="fu-needs-contact">${t('fu_needs_contact')}</span>`}
          ${refused && html`<div class="record-error" role="alert">
            <p><strong>${refused.error && refused.error.message}</strong></p>
            <div class="actions"><button class="btn btn-small" onClick=${() => sync.retryFollowUpEvent(refused.id)}>
              ${t('retry')}</button><button class="btn btn-small" onClick=${() => sync.retryFollowUpEvent(refused.id,
                { discard: true })}>${t('discard')}</button></div></div>`}
          ${!fixQueued && f.status !== 'verified' && html`<a class="btn btn-small" href=${`#/fix/${f.id}`}
            data-testid="fu-fix">${t(f.status === 'open' ? 'fu_fix' : 'fu_contact_step')}</a>`}</li>`;
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

/** Each checklist's title by its code (the newest version's), for naming due entries. */
function checklistTitles(checklists) {
  const titles = {};
  for (const c of [...checklists].sort((a, b) => a.version - b.version)) titles[c.code] = { 'zh-CN': c.title_zh, en: c.title_en };
  return titles;
}

/** Tells apart the entries of one due list (one rule, one subject). */
const dueKey = (entry) => `${entry.checklist_code}/${entry.rule_id}/${entry.subject.type}/${entry.subject.id}`;

/** Done or under way already: ask before starting another, never start a duplicate silently. */
const needsChoice = (entry) => isDone(entry) || entry.drafts.length > 0;

function DueChoice({ entry, session, onClose }) {
  const draft = entry.drafts[0];
  const sealed = entry.waiting[entry.waiting.length - 1];
  return html`<div class="due-choice" role="group" data-testid="due-choice">
    <p class="small">${draft ? t('due_draft', { time: formatTime(draft.started_at) })
      : t('due_done_already', { done: entry.done, required: entry.required })}</p>
    <div class="actions">
      ${draft && html`<button class="btn btn-small btn-primary" onClick=${() => go(`/form/${draft.id}`)}
        data-testid="due-continue">${t('continue_draft')}</button>`}
      ${!draft && sealed && html`<button class="btn btn-small" onClick=${() => go(`/form/${sealed.id}`)}
        data-testid="due-view">${t('view_record')}</button>`}
      <button class="btn btn-small" onClick=${() => startFromDue(entry, session, { another: true })}
        data-testid="due-another">${t('start_another')}</button>
      <button class="btn btn-small btn-ghost" onClick=${onClose}>${t('cancel')}</button>
    </div>
  </div>`;
}

/** Throw away a draft or a refused record, after the user confirmed; its images go with it. */
function Discard({ record, question, label, onDone }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState(null);
  const confirm = async () => {
    try {
      await records.discard(record.id);
      await sync.refreshCounts();
      setAsking(false);
      onDone();
    } catch (err) {
      setError(String(err.message || err));
    }
  };
  if (!asking) {
    return html`<button class="btn btn-small btn-ghost" onClick=${() => setAsking(true)}
      data-testid="discard">${label}</button>`;
  }
  return html`<div class="confirm" role="alertdialog" aria-label=${label}>
    <p class="small">${question}</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="actions">
      <button class="btn btn-small btn-danger" onClick=${confirm} data-testid="discard-confirm">${label}</button>
      <button class="btn btn-small btn-ghost" onClick=${() => setAsking(false)}>${t('cancel')}</button>
    </div></div>`;
}

/** An item's label, for the server's per-item reasons (which name items by their id). */
function itemLabel(checklists, record, itemId) {
  const checklist = (checklists || []).find((c) => c.id === record.checklist_id)
    || (checklists || []).find((c) => c.code === record.checklist.code && c.version === record.checklist.version);
  const item = checklist && items(checklist.definition).find((i) => i.id === itemId);
  return item ? tx(item.label) : t('item');
}

function Outbox({ records: list, checklists, onChange }) {
  return html`<section class="card" aria-labelledby="outbox-h" data-testid="outbox">
    <h2 id="outbox-h">${t('outbox')}</h2>
    ${!list.length && html`<p class="muted" data-testid="outbox-empty">${t('outbox_empty')}</p>`}
    <ul class="list">${list.map((r) => html`<li class="row-static" data-testid="outbox-record">
      <a class="row-main" href=${`#/form/${r.id}`}>${tx(r.title)} · ${r.subject_label}</a>
      <span class=${`badge ${r.state === RecordState.REJECTED ? 'badge-error' : 'badge-todo'}`}>
        ${r.state === RecordState.REJECTED ? t('status_rejected') : t('status_outbox')}</span>
      ${r.error && html`<div class="record-error" role="alert">
        <p>${t('rejected_help')}</p>
        <p><strong>${r.error.message}</strong></p>
        ${Object.entries((r.error.details && r.error.details.items) || {}).map(([item, messages]) =>
          html`<p class="small">${itemLabel(checklists, r, item)}：${[].concat(messages).join('；')}</p>`)}
        <p>${t(r.error.action)}</p>
        <div class="actions">
          ${r.error.action === 'action_reopen' && html`<button class="btn btn-small" onClick=${() => reopenRefused(r)}>
            ${t('action_reopen')}</button>`}
          <button class="btn btn-small" onClick=${() => sync.retryRecord(r.id)}>${t('retry')}</button>
        </div>
        <${Discard} record=${r} question=${t('discard_rejected_confirm')} label=${t('discard_record')} onDone=${onChange} />
        </div>`}
    </li>`)}</ul>
  </section>`;
}

/** A refused record goes back to being a draft: signatures are removed, so it must be signed again. */
async function reopenRefused(record) {
  await records.reopen(record.id);
  await sync.refreshCounts();
  go(`/form/${record.id}`);
}

/** A property's name in the chosen language, for records about the property itself. */
async function propertyName(id) {
  return localName(await pulled.property(id));
}

async function startFromDue(entry, session, { another = false } = {}) {
  if (entry.subject.id == null) {  // a share of the households: pick which one
    go(`/new/${entry.property_id}/${entry.checklist_code}`);
    return;
  }
  const existing = !another && await records.findDraft(entry.checklist_code, entry.subject);
  if (existing) { go(`/form/${existing.id}`); return; }
  const checklist = findChecklist(await pulled.allChecklists(), entry.checklist_code, entry.checklist_version);
  if (!checklist) { notices.set({ error: t('no_checklists') }); return; }
  const record = startDraft({ checklist, propertyId: entry.property_id, subject: entry.subject,
    subjectLabel: entry.subject.label || await propertyName(entry.property_id), session,
    deviceId: await deviceIdentifier() });
  go(`/form/${record.id}`);
}

async function reopenReturned(returned, session, propertyLabel) {
  const checklist = findChecklist(await pulled.allChecklists(), returned.checklist.code, returned.checklist.version);
  await records.draftFromReturned(returned, {
    subjectLabel: returned.subject.label || propertyLabel,
    title: checklist ? { 'zh-CN': checklist.title_zh, en: checklist.title_en } : { 'zh-CN': t('record'), en: t('record') },
    review: lastReturn(returned), inspector: session.user.username, deviceId: await deviceIdentifier(),
  });
  go(`/form/${returned.id}`);
}
