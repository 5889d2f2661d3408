// The assignee's "fixed" step of a follow-up (整改), done on the phone and offline: the step and
// its photos wait in the outbox under an id made here, so a resend is harmless.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { t } from '../shared/i18n.js';
import { downscalePhoto } from '../shared/photos.js';
import * as pulled from '../shared/pulled.js';
import * as records from '../shared/records.js';
import * as sync from '../shared/sync.js';
import { isoNow } from '../shared/time.js';

/**
 * The assignee's "fixed" step, on the phone and offline: photos are downscaled and kept in
 * IndexedDB, the step is queued with an id made here; the outbox sends photos, then the step.
 */
export function FixFollowUp({ id, session }) {
  const [f, setF] = useState(null);
  const [photos, setPhotos] = useState([]);
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [eventId] = useState(() => crypto.randomUUID());
  useEffect(() => {
    pulled.followUp(id).then(async (local) => {
      if (local) { setF(local); return; }
      try { setF(await api(`/api/followups/${id}`)); } catch (err) { setError(err.message); }
    });
  }, [id]);
  const addPhotos = async (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    setBusy(true);
    try {
      const added = [];
      for (const file of files) {
        const photo = await downscalePhoto(file);
        await records.saveBlob({ sha256: photo.sha256, blob: photo.blob, type: 'image/jpeg', size: photo.blob.size,
          original_size: photo.originalSize, kind: 'photo' });
        added.push({ sha256: photo.sha256, captured_at: isoNow(), url: URL.createObjectURL(photo.blob) });
      }
      setPhotos([...photos, ...added].filter((p, i, all) => all.findIndex((q) => q.sha256 === p.sha256) === i));
    } catch (err) { setError(String(err.message || err)); } finally { setBusy(false); }
  };
  const submit = async () => {
    if (!photos.length) { setError(t('fu_fix_needs_photo')); return; }
    setBusy(true);
    await sync.queueFollowUpEvent({ id: eventId, follow_up_id: id, action: 'fix', note: note.trim() || null,
      photos: photos.map(({ sha256, captured_at }) => ({ sha256, captured_at })), at: isoNow(),
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
      <div class="thumbs">${photos.map((p) => html`<figure class="thumb"><img src=${p.url} alt=${t('photos')}
        width="96" height="96" data-testid="fix-photo" /></figure>`)}</div>
      <div class="photo-buttons">
        <label class="btn photo-add">${t('take_photo')}<input type="file" accept="image/*" capture="environment"
          class="visually-hidden" onChange=${addPhotos} data-testid="fix-photo-camera" /></label>
        <label class="btn photo-add">${t('choose_photo')}<input type="file" accept="image/*" multiple
          class="visually-hidden" onChange=${addPhotos} data-testid="fix-photo-input" /></label>
      </div>
      ${busy && html`<p class="small">${t('photo_processing')}</p>`}
      <label class="field">${t('fu_note')}<textarea rows="2" value=${note} onInput=${(e) => setNote(e.target.value)}
        data-testid="fix-note"></textarea></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button class="btn btn-primary btn-block" disabled=${busy} onClick=${submit} data-testid="fix-submit">
        ${t('fu_fix_submit')}</button>
    </section>
  </main>`;
}
