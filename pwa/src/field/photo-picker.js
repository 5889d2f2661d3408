// Photos for a follow-up step or a work order: downscaled on the phone and kept in IndexedDB at
// once, so they survive a reload and wait in the outbox with the step that cites them.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../shared/i18n.js';
import { downscalePhoto } from '../shared/photos.js';
import * as records from '../shared/records.js';
import { isoNow } from '../shared/time.js';

/**
 * `photos` as the step will cite them ({ sha256, captured_at }, plus a preview `url`), `busy` while
 * one is processed, and `add` for a file input's change event. A photo chosen twice is kept once.
 */
export function usePhotoPicker(onError) {
  const [photos, setPhotos] = useState([]);
  const [busy, setBusy] = useState(false);
  const urls = useRef([]);
  useEffect(() => () => urls.current.forEach((url) => URL.revokeObjectURL(url)), []);
  const add = async (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    setBusy(true);
    try {
      for (const file of files) {
        const photo = await downscalePhoto(file);
        await records.saveBlob({ sha256: photo.sha256, blob: photo.blob, type: 'image/jpeg', size: photo.blob.size,
          original_size: photo.originalSize, kind: 'photo' });
        const url = URL.createObjectURL(photo.blob);
        urls.current.push(url);
        // Functional update: a second pick while the first is processed must not drop it.
        setPhotos((shown) => (shown.some((p) => p.sha256 === photo.sha256) ? shown
          : [...shown, { sha256: photo.sha256, captured_at: isoNow(), url }]));
      }
    } catch (err) { onError(String(err.message || err)); } finally { setBusy(false); }
  };
  const cited = () => photos.map(({ sha256, captured_at }) => ({ sha256, captured_at }));
  return { photos, busy, add, cited };
}

/** Thumbnails and the two buttons (camera, gallery), big enough for a gloved thumb. */
export function PhotoPicker({ picker, testid }) {
  return html`<div class="thumbs">${picker.photos.map((p) => html`<figure class="thumb"><img src=${p.url}
      alt=${t('photos')} width="96" height="96" data-testid=${testid && `${testid}-photo`} /></figure>`)}</div>
    <div class="photo-buttons">
      <label class="btn photo-add">${t('take_photo')}<input type="file" accept="image/*" capture="environment"
        class="visually-hidden" onChange=${picker.add} data-testid=${testid && `${testid}-photo-camera`} /></label>
      <label class="btn photo-add">${t('choose_photo')}<input type="file" accept="image/*" multiple
        class="visually-hidden" onChange=${picker.add} data-testid=${testid && `${testid}-photo-input`} /></label>
    </div>
    ${picker.busy && html`<p class="small">${t('photo_processing')}</p>`}`;
}
