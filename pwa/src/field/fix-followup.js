// The assignee's steps on a follow-up (整改), done on the phone and offline: "fixed" with its
// photos, and a record of a contact with the owner (required three days after the finding). Each
// waits in the outbox under an id made here, so a resend is harmless.
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
  const [contact, setContact] = useState({ method: '', with: '', note: '' });
  const [contactError, setContactError] = useState(null);
  const [contactId] = useState(() => crypto.randomUUID());
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
  const saveContact = async (event) => {
    event.preventDefault();
    if (!contact.method) { setContactError(t('wo_pick_method')); return; }
    if (!contact.note.trim()) { setContactError(t('fu_contact_note_needed')); return; }
    setSending(true);
    await sync.queueFollowUpEvent({ id: contactId, follow_up_id: id, action: 'contact', note: contact.note.trim(),
      details: { contact_method: contact.method, contact_with: contact.with.trim() || null }, at: isoNow(),
      author: session.user.username });
    window.location.hash = '/';
  };
  const edit = (key) => (e) => setContact({ ...contact, [key]: e.target.value });
  if (!f) return html`<main class="screen">${error ? html`<p class="error">${error}</p>` : html`<p class="boot">${t('loading')}</p>`}</main>`;
  return html`<main class="screen" data-testid="fix-followup">
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/">‹ ${t('back')}</a><h1>${t('fu_list')}</h1></header>
    <section class="card">
      <p><strong>${f.description}</strong></p>
      <p class="small">${f.subject_label} · ${t('due_by', { date: f.due_date })}</p>
    </section>
    ${f.status === 'open' && html`<section class="card" aria-labelledby="fix-h">
      <h2 id="fix-h">${t('fu_fix_title')}</h2>
      <p class="field">${t('fu_fix_photo')}</p>
      <${PhotoPicker} picker=${picker} testid="fix" />
      <label class="field">${t('fu_note')}<textarea rows="2" value=${note} onInput=${(e) => setNote(e.target.value)}
        data-testid="fix-note"></textarea></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="btn btn-primary btn-block" disabled=${picker.busy || sending} onClick=${submit} data-testid="fix-submit">
        ${t('fu_fix_submit')}</button>
    </section>`}
    <form class="card" aria-labelledby="contact-h" onSubmit=${saveContact} data-testid="contact-form">
      <h2 id="contact-h">${t('fu_contact_title')}</h2>
      ${f.needs_contact && html`<p class="small"><span class="badge badge-error">${t('fu_needs_contact')}</span></p>`}
      <fieldset class="field"><legend>${t('wo_method')}</legend>
        ${['phone', 'visit', 'message'].map((m) => html`<label class="check"><input type="radio" name="contact_method"
          value=${m} checked=${contact.method === m} onChange=${edit('method')} /> ${t(`wo_method_${m}`)}</label>`)}
      </fieldset>
      <label class="field">${t('wo_contact_with')}<input value=${contact.with} maxlength="100" onInput=${edit('with')}
        data-testid="contact-with" /></label>
      <label class="field">${t('fu_contact_note')}<textarea rows="2" maxlength="2000" value=${contact.note}
        onInput=${edit('note')} data-testid="contact-note"></textarea></label>
      ${contactError && html`<p class="error" role="alert">${contactError}</p>`}
      <button class="btn btn-block" type="submit" disabled=${sending} data-testid="contact-submit">
        ${t('fu_contact_submit')}</button>
    </form>
  </main>`;
}
