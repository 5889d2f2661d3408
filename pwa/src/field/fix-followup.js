// The assignee's "fixed" step of a follow-up (整改), done on the phone and offline: the step and
// its photos wait in the outbox under an id made here, so a resend is harmless.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import * as pulled from '../shared/pulled.js';
import * as sync from '../shared/sync.js';
import { isoNow } from '../shared/time.js';
import { PhotoPicker, usePhotoPicker } from './photo-picker.js';

/**
 * The assignee's "fixed" step, on the phone and offline: photos are downscaled and kept in
 * IndexedDB, the step is queued with an id made here; the outbox sends photos, then the step.
 */
export function FixFollowUp({ id, session }) {
  const [f, setF] = useState(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [sending, setSending] = useState(false);
  const picker = usePhotoPicker(setError);
  const [eventId] = useState(() => crypto.randomUUID());
  useEffect(() => {
    pulled.followUp(id).then(async (local) => {
      if (local) { setF(local); return; }
      try { setF(await api(`/api/followups/${id}`)); } catch (err) { setError(err.message); }
    });
  }, [id]);
  const submit = async () => {
    if (!picker.photos.length) { setError(t('fu_fix_needs_photo')); return; }
    setSending(true);
    await sync.queueFollowUpEvent({ id: eventId, follow_up_id: id, action: 'fix', note: note.trim() || null,
      photos: picker.cited(), at: isoNow(),
      author: session.user.username });
    window.location.hash = '/';
  };
  if (!f) return html`<main class="screen">${error ? html`<p class="error">${error}</p>` : html`<p class="boot">${t('loading')}</p>`}</main>`;
  return html`<main class="screen" data-testid="fix-followup">
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/">‹ ${t('back')}</a><h1>${t('fu_fix_title')}</h1></header>
    <section class="card">
      <p><strong>${f.description}</strong></p>
      <p class="small">${f.subject_label} · ${t('due_by', { date: f.due_date })}</p>
      <p class="field">${t('fu_fix_photo')}</p>
      <${PhotoPicker} picker=${picker} testid="fix" />
      <label class="field">${t('fu_note')}<textarea rows="2" value=${note} onInput=${(e) => setNote(e.target.value)}
        data-testid="fix-note"></textarea></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="btn btn-primary btn-block" disabled=${picker.busy || sending} onClick=${submit} data-testid="fix-submit">
        ${t('fu_fix_submit')}</button>
    </section>
  </main>`;
}
