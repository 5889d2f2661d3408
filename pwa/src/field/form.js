// The checklist form, rendered from the checklist definition. Every change is saved to the draft
// in IndexedDB at once (through the record repository), so closing the app mid-form loses
// nothing. Sealing fixes the seal hash; a sealed record is read-only.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import SignaturePad from 'signature_pad';
import { withAnswer, withRow } from '../shared/answers.js';
import { apiBlob, NetworkError } from '../shared/api.js';
import {
  appliesToOutcome, auditedKeys, isFailed, isRequired, needsRegister, SIGNER_UNAVAILABLE_MAX_LENGTH, validate,
} from '../shared/checklist.js';
import { afterPaint } from '../shared/hooks.js';
import { formatBytes, formatTime, t, tx } from '../shared/i18n.js';
import { notices } from '../shared/notices.js';
import { downscalePhoto } from '../shared/photos.js';
import * as pulled from '../shared/pulled.js';
import * as records from '../shared/records.js';
import { RecordState, StorageFullError } from '../shared/records.js';
import { sha256Hex } from '../shared/seal.js';
import * as sync from '../shared/sync.js';
import { isoNow } from '../shared/time.js';

/** Start a draft and hand it to the form in memory, so opening it waits for no database read. */
export function startDraft({ checklist, propertyId, subject, subjectLabel, session, deviceId }) {
  const { record, saved } = records.createDraft({ checklist, propertyId, subject, subjectLabel,
    inspector: session.user.username, deviceId });
  fresh.set(record.id, { record, checklist, keys: null, saved });
  return record;
}

const fresh = new Map();

// Photos a failed item or register row may carry as evidence: the most a checklist may ask for.
const EVIDENCE_PHOTOS = 20;

async function loadChecklist(record) {
  if (record.checklist_id) {
    const byId = await pulled.checklistById(record.checklist_id);
    if (byId) return byId;
  }
  return (await pulled.allChecklists())
    .find((c) => c.code === record.checklist.code && c.version === record.checklist.version);
}

/** What to tell the user when a change could not be saved. */
const problemText = (error) => (error instanceof StorageFullError ? t('storage_full') : String(error.message || error));

export function ChecklistForm({ id, session }) {
  const [loaded, setLoaded] = useState(() => {
    const handed = fresh.get(id);
    fresh.delete(id);
    return handed && !needsRegister(handed.checklist) ? { ...handed, keys: [] } : null;
  });
  const record = loaded && loaded.record;
  const checklist = loaded && loaded.checklist;
  const keys = (loaded && loaded.keys) || [];
  const setRecord = (next) => setLoaded((value) => ({ ...value, record: next }));
  const [problems, setProblems] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const latest = useRef(null);
  // Photos being downscaled and saved: sealing waits for them, so a photo taken before "seal"
  // is in the sealed record and none can arrive after it.
  const processing = useRef(new Set());
  const [processingCount, setProcessingCount] = useState(0);
  const track = (promise) => {
    processing.current.add(promise);
    setProcessingCount(processing.current.size);
    const settle = () => {
      processing.current.delete(promise);
      setProcessingCount(processing.current.size);
    };
    promise.then(settle, settle);
    return promise;
  };

  if (loaded && !latest.current) latest.current = loaded.record;
  useEffect(() => {
    if (loaded) {
      if (loaded.saved) loaded.saved.catch((err) => setError(`${t('storage_full')} (${err && err.name})`));
      return;
    }
    (async () => {
      const saved = await records.getRecord(id);
      if (!saved) { window.location.hash = '/'; return; }
      const definition = await loadChecklist(saved);
      let registerRows = [];
      if (definition && needsRegister(definition)) registerRows = auditedKeys(await pulled.keysOf(saved.property_id));
      latest.current = saved;
      setLoaded({ record: saved, checklist: definition || null, keys: registerRows });  // one render
    })();
  }, [id]);

  // Times on the property's clock, like the record page and the PDF (the phone's own zone
  // until the property is read).
  const [zone, setZone] = useState(undefined);
  const propertyOf = loaded && loaded.record && loaded.record.property_id;
  useEffect(() => {
    if (propertyOf === undefined || propertyOf === null) return;
    pulled.property(propertyOf).then((p) => setZone((p && p.timezone) || undefined)).catch(() => {});
  }, [propertyOf]);

  // For bench/pwa_bench.py: when the form is on screen and usable.
  useEffect(() => { if (record) afterPaint(() => performance.mark('xuncha:form-ready')); }, [!!record]);

  if (!record) return html`<p class="boot">${t('loading')}</p>`;
  if (!checklist) return html`<main class="screen"><p class="error">${t('no_checklists')}</p></main>`;
  const definition = checklist.definition;
  const readOnly = record.state !== RecordState.DRAFT;

  /**
   * Apply a change to one answer and save the draft at once; `blobs` names the images the change
   * stores and lets go of. The screen shows the change at once; if it cannot be saved, the screen
   * goes back to what the phone holds and the caller gets the error.
   */
  const update = async (itemId, change, blobs) => {
    const current = latest.current;
    const answer = change({ ...(current.answers[itemId] || {}) });
    const next = { ...current, answers: withAnswer(current.answers, itemId, answer), updated_at: isoNow() };
    latest.current = next;
    setRecord(next);
    if (problems) setProblems(validate(definition, next.answers, keys));
    try {
      await records.updateAnswer(current.id, itemId, answer, blobs);
    } catch (error) {
      const saved = await records.getRecord(current.id);
      if (saved) { latest.current = saved; setRecord(saved); }
      throw error;
    }
  };

  const seal = async () => {
    setBusy(true);
    try {
      while (processing.current.size) await Promise.allSettled([...processing.current]);
    } finally {
      setBusy(false);
    }
    const found = validate(definition, latest.current.answers, keys);
    setProblems(found);
    if (Object.keys(found).length) {
      const first = document.getElementById(`item-${Object.keys(found)[0]}`);
      if (first) first.scrollIntoView({ block: 'center' });
      return;
    }
    setBusy(true);
    try {
      const sealed = await records.seal(latest.current, session.user.username);
      latest.current = sealed;
      setRecord(sealed);
      await sync.refreshCounts();
      sync.syncNow({ manual: true });
      window.location.hash = '/';
      window.scrollTo(0, 0);  // the home screen from its top, the due list first
      notices.flash({ done: t('submitted_ok') });
    } finally {
      setBusy(false);
    }
  };

  const problemCount = problems ? Object.keys(problems).length : 0;
  const ctx = { zone, update, readOnly, problems: problems || {}, answers: record.answers, keys, session, track,
    onError: setError, itemComments: (record.review && record.review.item_comments) || {} };
  return html`<main class="screen form" data-testid="form" data-record-id=${record.id}>
    <header class="topbar">
      <a class="btn btn-small btn-ghost" href="#/">‹ ${t('back')}</a>
      <h1>${tx(definition.title)}</h1>
    </header>
    <p class="small subject-line">${record.subject_label} · ${t('started', { time: formatTime(record.started_at, zone) })}
      ${!readOnly && html` · <span data-testid="draft-saved">${t('draft_saved')}</span>`}</p>
    ${readOnly && html`<div class="notice notice-ok" data-testid="sealed">${t('sealed')}<br />
      <span class="small">${t('seal_hash')}: <code class="hash">${record.seal && record.seal.hash}</code></span></div>`}
    ${error && html`<div class="notice notice-error" role="alert">${error}</div>`}
    ${record.review && record.review.comment && html`<div class="notice notice-warn" data-testid="review-comment">
      ${t('review_comment')}: ${record.review.comment}</div>`}
    ${!readOnly && record.cleared_signers && record.cleared_signers.length > 0 && html`<div class="notice notice-warn"
      data-testid="signatures-cleared">${t('signatures_cleared', { names: record.cleared_signers.join('、') })}</div>`}
    ${definition.sections.map((section) => [section, section.items.filter((item) => appliesToOutcome(definition, item, ctx.answers))])
      .filter(([, shown]) => shown.length).map(([section, shown]) => html`<section class="card">
      <h2>${tx(section.title)}</h2>
      ${shown.map((item) => html`<${Item} key=${item.id} item=${item} ctx=${ctx} />`)}
    </section>`)}
    ${!readOnly && html`<div class="form-footer">
      ${problemCount > 0 && html`<p class="error" role="alert" data-testid="problems">${t('fix_errors', { n: problemCount })}</p>`}
      ${processingCount > 0 && html`<p class="small" data-testid="photos-wait">${t('photos_wait')}</p>`}
      <button class="btn btn-primary btn-block" onClick=${seal} disabled=${busy} data-testid="seal">
        ${busy ? t('sealing') : t('seal_submit')}</button>
    </div>`}
  </main>`;
}

function Item({ item, ctx }) {
  const answer = ctx.answers[item.id];
  const required = isRequired(item, ctx.answers);
  const problems = ctx.problems[item.id];
  const failed = isFailed(item, answer);
  const labelId = `label-${item.id}`;
  let control;
  switch (item.type) {
    case 'pass_fail':
      control = html`<${Choice} item=${item} ctx=${ctx} labelId=${labelId} options=${[
        { value: 'pass', label: t('pass') }, { value: 'fail', label: t('fail') },
        ...(item.allow_na === false ? [] : [{ value: 'na', label: t('na') }])]} />`;
      break;
    case 'yes_no':
      control = html`<${Choice} item=${item} ctx=${ctx} labelId=${labelId}
        options=${[{ value: 'yes', label: t('yes') }, { value: 'no', label: t('no') }]} />`;
      break;
    case 'single_choice':
      control = html`<${Choice} item=${item} ctx=${ctx} labelId=${labelId}
        options=${item.options.map((o) => ({ value: o.value, label: tx(o.label) }))} />`;
      break;
    case 'multi_choice':
      control = html`<${Choice} item=${item} ctx=${ctx} labelId=${labelId} multiple
        options=${item.options.map((o) => ({ value: o.value, label: tx(o.label) }))} />`;
      break;
    case 'text':
      control = item.multiline
        ? html`<textarea id=${`in-${item.id}`} aria-labelledby=${labelId} disabled=${ctx.readOnly} rows="3"
            maxlength=${item.max_length} value=${(answer && answer.value) || ''}
            onInput=${(e) => ctx.update(item.id, (a) => ({ ...a, value: e.target.value }))}></textarea>`
        : html`<input id=${`in-${item.id}`} aria-labelledby=${labelId} disabled=${ctx.readOnly}
            maxlength=${item.max_length} value=${(answer && answer.value) || ''}
            onInput=${(e) => ctx.update(item.id, (a) => ({ ...a, value: e.target.value }))} />`;
      break;
    case 'number':
      control = html`<div class="number"><input type="number" inputmode="decimal" aria-labelledby=${labelId}
        disabled=${ctx.readOnly} min=${item.min} max=${item.max} step=${item.integer ? 1 : 'any'}
        value=${answer && answer.value !== undefined ? answer.value : ''}
        onInput=${(e) => ctx.update(item.id, (a) => ({ ...a,
          value: e.target.value === '' ? undefined : Number(e.target.value) }))} />
        ${item.unit && html`<span>${tx(item.unit)}</span>`}</div>`;
      break;
    case 'date':
    case 'time':
      control = html`<input type=${item.type} aria-labelledby=${labelId} disabled=${ctx.readOnly}
        value=${(answer && answer.value) || ''}
        onInput=${(e) => ctx.update(item.id, (a) => ({ ...a, value: e.target.value }))} />`;
      break;
    case 'datetime':
      control = html`<input type="datetime-local" aria-labelledby=${labelId} disabled=${ctx.readOnly}
        value=${answer && answer.value ? answer.value.slice(0, 16) : ''}
        onInput=${(e) => ctx.update(item.id, (a) => ({ ...a,
          value: e.target.value ? isoNow(new Date(e.target.value)) : undefined }))} />`;
      break;
    case 'photo':
      control = html`<${Photos} itemId=${item.id} ctx=${ctx} photos=${(answer && answer.photos) || []}
        max=${item.max} set=${(change, blobs) => ctx.update(item.id, (a) => ({ ...a, photos: change(a.photos || []) }), blobs)} />`;
      break;
    case 'signature':
      control = html`<${Signature} item=${item} ctx=${ctx} answer=${answer} />`;
      break;
    case 'register_rows':
      control = html`<${RegisterRows} item=${item} ctx=${ctx} answer=${answer} />`;
      break;
    default:
      control = html`<p class="muted">${item.type}</p>`;
  }
  const evidence = failed && item.type !== 'register_rows' && item.type !== 'photo';
  return html`<div class=${`item ${problems ? 'item-invalid' : ''} ${failed ? 'item-failed' : ''}`}
      id=${`item-${item.id}`} data-item=${item.id} data-type=${item.type}>
    <div class="item-label" id=${labelId}>${tx(item.label)}
      <span class=${required ? 'req' : 'opt'}>${required ? ` *` : ` (${t('optional')})`}</span></div>
    ${item.help && html`<p class="help">${tx(item.help)}</p>`}
    ${ctx.itemComments[item.id] && html`<p class="review-note" data-testid="item-review">
      ${t('review_comment')}: ${ctx.itemComments[item.id]}</p>`}
    ${control}
    ${evidence && html`<div class="evidence">
      <label class="field small">${t('comment')}
        <textarea rows="2" disabled=${ctx.readOnly} value=${(answer && answer.comment) || ''}
          onInput=${(e) => ctx.update(item.id, (a) => ({ ...a, comment: e.target.value }))}></textarea></label>
      ${item.photo_when_failed ? html`<p class="small">${t('photo_needed_fail', { n: item.photo_when_failed })}</p>` : ''}
      <${Photos} itemId=${item.id} ctx=${ctx} photos=${(answer && answer.photos) || []} max=${EVIDENCE_PHOTOS}
        set=${(change, blobs) => ctx.update(item.id, (a) => ({ ...a, photos: change(a.photos || []) }), blobs)} />
    </div>`}
    ${problems && html`<ul class="problems" role="alert">${problems.map(([key, params]) =>
      html`<li>${problemLine(key, params, ctx.keys)}</li>`)}</ul>`}
  </div>`;
}

/** A problem as the user reads it; a register row is named by its key's tag, never its id. */
function problemLine(key, params = {}, keys = []) {
  const tag = (id) => { const found = keys.find((k) => String(k.id) === String(id)); return found ? found.tag_no : ''; };
  if (key === 'err_rows' && params.rows) {
    const names = params.rows.slice(0, 5).map(tag).join('、');
    return t('err_rows_named', { n: params.n, keys: params.rows.length > 5 ? `${names}…` : names });
  }
  if (key === 'photo_needed_fail' && params.row) return t('photo_needed_row', { n: params.n, key: tag(params.row) });
  return t(key, params);
}

function Choice({ item, ctx, options, labelId, multiple = false }) {
  const answer = ctx.answers[item.id];
  const value = answer && answer.value;
  const chosen = (v) => (multiple ? Array.isArray(value) && value.includes(v) : value === v);
  const toggle = (v) => ctx.update(item.id, (a) => {
    if (!multiple) return { ...a, value: v };
    const list = Array.isArray(a.value) ? a.value : [];
    return { ...a, value: list.includes(v) ? list.filter((x) => x !== v) : [...list, v] };
  });
  return html`<div class="choices" role="group" aria-labelledby=${labelId}>
    ${options.map((o) => html`<label class=${`choice choice-${o.value} ${chosen(o.value) ? 'chosen' : ''}`}><input
      type=${multiple ? 'checkbox' : 'radio'} name=${`c-${item.id}`} value=${o.value}
      checked=${chosen(o.value)} disabled=${ctx.readOnly} onChange=${() => toggle(o.value)} />${o.label}</label>`)}
  </div>`;
}

/**
 * One photo's thumbnail. A photo taken on this phone is read from IndexedDB; a photo of a
 * returned record was taken before the return, so its bytes are on the server only: fetched
 * with the token when there is a connection, and a plain "shown when online" tile without one
 * (tried again when the connection returns).
 */
function PhotoThumb({ sha256 }) {
  const [info, setInfo] = useState(null);
  useEffect(() => {
    let url;
    let cancelled = false;
    const show = (blob, extra) => {
      if (cancelled) return;
      url = URL.createObjectURL(blob);
      setInfo({ url, ...extra });
    };
    const fromServer = () => apiBlob(`/api/blobs/${sha256}?variant=thumb`)
      .then((blob) => show(blob, { remote: true }))
      .catch((error) => { if (!cancelled) setInfo({ offline: error instanceof NetworkError, failed: true }); });
    const retry = () => { if (!url) fromServer(); };
    records.getBlob(sha256).then((entry) => {
      if (entry) show(entry.blob, { size: entry.size, original: entry.original_size });
      else fromServer();
    });
    window.addEventListener('online', retry);
    return () => {
      cancelled = true;
      window.removeEventListener('online', retry);
      if (url) URL.revokeObjectURL(url);
    };
  }, [sha256]);
  if (!info) return html`<div class="thumb thumb-empty"></div>`;
  if (info.failed) {
    return html`<div class="thumb thumb-placeholder" data-testid="photo-elsewhere">
      ${info.offline ? t('photo_on_server_offline') : t('photo_not_found')}</div>`;
  }
  return html`<figure class="thumb"><img src=${info.url} alt=${t('photos')} width="96" height="96" />
    <figcaption class="small" data-testid=${info.remote ? 'photo-on-server' : 'photo-size'}>${info.remote
      ? t('photo_on_server') : t('photo_saved', { size: formatBytes(info.size), orig: formatBytes(info.original) })}</figcaption></figure>`;
}

/**
 * Photos of one item (or one register row): camera or gallery, downscaled, thumbnails,
 * delete/retake. `set(change, blobs)` applies `change` to the list as saved at that moment, so
 * a slow photo never overwrites a change made while it was processed; and while one is
 * processed, this item's buttons wait.
 */
function Photos({ itemId, ctx, photos, set, max }) {
  const [processing, setProcessing] = useState(false);
  const add = (files, replace = null) => ctx.track((async () => {
    setProcessing(true);
    try {
      const room = max - photos.filter((p) => p.sha256 !== replace).length;
      const added = [];
      for (const file of files.slice(0, Math.max(room, 0))) {
        const photo = await downscalePhoto(file);
        added.push({ sha256: photo.sha256, blob: photo.blob, type: 'image/jpeg', size: photo.blob.size,
          original_size: photo.originalSize, kind: 'photo' });
      }
      const capturedAt = isoNow();
      await set((current) => {
        let list = current.filter((p) => p.sha256 !== replace);
        for (const entry of added) {
          if (list.length >= max) break;
          if (!list.some((p) => p.sha256 === entry.sha256)) list = [...list, { sha256: entry.sha256, captured_at: capturedAt }];
        }
        return list;
      }, { addBlobs: added, dropBlobs: replace ? [replace] : [] });
      await sync.refreshCounts();
    } catch (error) {
      ctx.onError(problemText(error));
    } finally {
      notices.set({ storageTick: Date.now() });  // re-check how much room is left
      setProcessing(false);
    }
  })());
  const remove = async (sha256) => {
    try {
      await set((current) => current.filter((p) => p.sha256 !== sha256), { dropBlobs: [sha256] });
    } catch (error) {
      ctx.onError(problemText(error));
    }
  };
  const locked = ctx.readOnly || processing;
  const onFiles = (replace) => (event) => {
    const files = [...event.target.files];
    event.target.value = '';
    if (files.length) add(files, replace);
  };
  return html`<div class="photos" data-testid=${`photos-${itemId}`}>
    <div class="thumbs">${photos.map((p) => html`<div class="thumb-wrap" key=${p.sha256} data-sha256=${p.sha256}>
      <${PhotoThumb} sha256=${p.sha256} />
      ${!ctx.readOnly && html`<div class="thumb-actions">
        <button class="btn btn-small" onClick=${() => remove(p.sha256)} disabled=${locked}
          data-testid="photo-delete">${t('delete')}</button>
        <label class="btn btn-small" aria-disabled=${locked}>${t('retake')}<input type="file" accept="image/*"
          capture="environment" class="visually-hidden" disabled=${locked} onChange=${onFiles(p.sha256)}
          data-testid="photo-retake" /></label></div>`}
    </div>`)}</div>
    ${processing && html`<p class="small">${t('photo_processing')}</p>`}
    ${!ctx.readOnly && photos.length < max && html`<div class="photo-buttons">
      <label class="btn photo-add" aria-disabled=${locked}>${t('take_photo')}
        <input type="file" accept="image/*" capture="environment" class="visually-hidden" disabled=${locked}
          data-testid=${`photo-camera-${itemId}`} onChange=${onFiles(null)} /></label>
      <label class="btn photo-add" aria-disabled=${locked}>${t('choose_photo')}
        <input type="file" accept="image/*" multiple class="visually-hidden" disabled=${locked}
          data-testid=${`photo-input-${itemId}`} onChange=${onFiles(null)} /></label></div>`}
  </div>`;
}

function Signature({ item, ctx, answer }) {
  const signature = answer && answer.signature;
  const [open, setOpen] = useState(false);
  // A signer who is not there (owner away, contractor gone) is marked so with a reason, which
  // the supervisor reads; the inspector always signs their own record.
  const canBeAbsent = item.signer !== 'inspector';
  const [absent, setAbsent] = useState(!!answer && answer.signer_unavailable !== undefined);
  const reason = (answer && answer.signer_unavailable) || '';
  const markAbsent = (on) => {
    setAbsent(on);
    ctx.update(item.id, (a) => {
      const { signer_unavailable: dropped, ...rest } = a;
      return on ? { ...rest, signer_unavailable: '' } : rest;
    }).catch((error) => ctx.onError(problemText(error)));
  };
  // The inspector signs as themselves; so does the key keeper, who does the keeper's own audit.
  const [name, setName] = useState((signature && signature.signer_name)
    || (item.signer === 'inspector' || item.signer === 'keeper' ? ctx.session.user.display_name : ''));
  const [url, setUrl] = useState(null);
  useEffect(() => {
    let objectUrl;
    if (signature) {
      records.getBlob(signature.sha256).then((entry) => {
        if (entry) { objectUrl = URL.createObjectURL(entry.blob); setUrl(objectUrl); }
      });
    } else setUrl(null);
    return () => objectUrl && URL.revokeObjectURL(objectUrl);
  }, [signature && signature.sha256]);
  const accept = async (blob) => {
    const sha256 = await sha256Hex(blob);
    const previous = signature && signature.sha256;
    try {
      await ctx.update(item.id, (a) => ({ ...a, signature: { sha256, signer_name: name.trim(), signed_at: isoNow() } }), {
        addBlobs: [{ sha256, blob, type: 'image/png', size: blob.size, original_size: blob.size, kind: 'signature' }],
        dropBlobs: previous && previous !== sha256 ? [previous] : [],
      });
    } catch (error) {
      ctx.onError(problemText(error));
      return;
    } finally {
      notices.set({ storageTick: Date.now() });  // re-check how much room is left
    }
    setOpen(false);
    await sync.refreshCounts();
  };
  if (absent) {
    return html`<div class="signature signature-absent" data-testid=${`signature-${item.id}`}>
      <p class="small">${t(`signer_${item.signer}`)}</p>
      ${ctx.readOnly
        ? html`<p class="absent-reason" data-testid=${`absent-${item.id}`}>${t('signer_unavailable_shown', { reason })}</p>`
        : html`<label class="field small">${t('signer_unavailable_reason')}
          <textarea rows="2" maxlength=${SIGNER_UNAVAILABLE_MAX_LENGTH} value=${reason}
            placeholder=${t('signer_unavailable_hint')} data-testid=${`absent-reason-${item.id}`}
            onInput=${(e) => ctx.update(item.id, (a) => ({ ...a, signer_unavailable: e.target.value }))
              .catch((error) => ctx.onError(problemText(error)))}></textarea></label>
        <button class="btn btn-block" onClick=${() => markAbsent(false)}
          data-testid=${`sign-instead-${item.id}`}>${t('signer_sign_instead')}</button>`}
    </div>`;
  }
  return html`<div class="signature" data-testid=${`signature-${item.id}`}>
    <p class="small">${t(`signer_${item.signer}`)}</p>
    <label class="field small">${t('signer_name')}
      <input value=${name} disabled=${ctx.readOnly} data-testid=${`signer-name-${item.id}`}
        onInput=${(e) => {
          setName(e.target.value);
          if (signature) ctx.update(item.id, (a) => ({ ...a, signature: { ...a.signature, signer_name: e.target.value.trim() } }));
        }} /></label>
    ${url && !open && html`<figure class="signature-image"><img src=${url} alt=${t('sign')} width="300" height="120" />
      <figcaption class="small">${t('signed_at', { time: formatTime(signature.signed_at, ctx.zone) })}</figcaption></figure>`}
    ${!ctx.readOnly && !open && html`<button class="btn btn-block" onClick=${() => setOpen(true)}
      data-testid=${`sign-${item.id}`}>${signature ? t('redo') : t('sign')}</button>`}
    ${!ctx.readOnly && !open && !signature && canBeAbsent && html`<button class="btn btn-block btn-ghost"
      onClick=${() => markAbsent(true)} data-testid=${`absent-${item.id}`}>${t('signer_unavailable')}</button>`}
    ${open && html`<${Pad} onAccept=${accept} onCancel=${() => setOpen(false)} />`}
  </div>`;
}

function Pad({ onAccept, onCancel }) {
  const canvas = useRef(null);
  const pad = useRef(null);
  useEffect(() => {
    const element = canvas.current;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    element.width = element.offsetWidth * ratio;
    element.height = element.offsetHeight * ratio;
    element.getContext('2d').scale(ratio, ratio);
    pad.current = new SignaturePad(element, { backgroundColor: 'rgb(255,255,255)', penColor: '#111' });
    return () => pad.current.off();
  }, []);
  const accept = () => {
    if (pad.current.isEmpty()) return;
    canvas.current.toBlob((blob) => onAccept(blob), 'image/png');
  };
  return html`<div class="pad" role="dialog" aria-modal="true" aria-label=${t('sign')}><div class="pad-sheet">
    <canvas ref=${canvas} class="pad-canvas" aria-label=${t('sign_here')} data-testid="pad"></canvas>
    <p class="small">${t('sign_here')}</p>
    <div class="actions">
      <button class="btn" onClick=${() => pad.current.clear()}>${t('clear')}</button>
      <button class="btn btn-ghost" onClick=${onCancel}>${t('back')}</button>
      <button class="btn btn-primary" onClick=${accept} data-testid="pad-accept">${t('save_signature')}</button>
    </div>
  </div></div>`;
}

/** Key audit: one row per key the register holds, each with its own answer, comment and photos. */
function RegisterRows({ item, ctx, answer }) {
  const rows = (answer && answer.rows) || {};
  if (!ctx.keys.length) return html`<p class="muted">${t('keys_none')}</p>`;
  const setRow = (id, change, blobs) => ctx.update(item.id, (a) => withRow(a, id, change), blobs);
  // "All present": the usual answer for every row not answered yet, in one change; the
  // exceptions are then marked one by one.
  const usual = item.row_options.find((o) => !(item.row_fail_values || []).includes(o.value));
  const open = ctx.keys.filter((key) => !rows[String(key.id)] || !rows[String(key.id)].value);
  const markRest = () => ctx.update(item.id, (a) => ctx.keys.reduce((next, key) => withRow(next, String(key.id),
    (r) => (r.value ? r : { ...r, value: usual.value })), a));
  const rowProblems = (id) => (ctx.problems[item.id] || []).filter(([key, params = {}]) =>
    (key === 'err_rows' && (params.rows || []).includes(id)) || (key === 'photo_needed_fail' && params.row === id));
  return html`${!ctx.readOnly && usual && open.length > 0 && html`<button class="btn btn-block" onClick=${markRest}
      data-testid="rows-all-usual">${t('rows_all_usual', { label: tx(usual.label), n: open.length })}</button>`}
    <ol class="register-rows">${ctx.keys.map((key) => {
    const id = String(key.id);
    const row = rows[id] || {};
    const failed = (item.row_fail_values || []).includes(row.value);
    const labelId = `row-${item.id}-${id}`;
    const problems = rowProblems(id);
    return html`<li class=${`register-row ${failed ? 'item-failed' : ''} ${problems.length ? 'row-invalid' : ''}`} data-row=${id}>
      <div id=${labelId} class="row-label"><strong>${key.tag_no}</strong> ${key.description}
        ${key.unit_label && html`<span class="small"> · ${key.unit_label}</span>`}</div>
      <div class="choices" role="group" aria-labelledby=${labelId}>
        ${item.row_options.map((o) => html`<label class=${`choice ${row.value === o.value ? 'chosen' : ''} ${
          (item.row_fail_values || []).includes(o.value) ? 'choice-fail' : ''}`}>
<input type="radio" name=${`r-${item.id}-${id}`} value=${o.value} checked=${row.value === o.value}
            disabled=${ctx.readOnly} onChange=${() => setRow(id, (r) => ({ ...r, value: o.value }))} />${tx(o.label)}</label>`)}
      </div>
      ${failed && html`<div class="evidence">
        <label class="field small">${t('comment')}<textarea rows="2" disabled=${ctx.readOnly} value=${row.comment || ''}
          onInput=${(e) => setRow(id, (r) => ({ ...r, comment: e.target.value }))}></textarea></label>
        <${Photos} itemId=${`${item.id}-${id}`} ctx=${ctx} photos=${row.photos || []} max=${EVIDENCE_PHOTOS}
          set=${(change, blobs) => setRow(id, (r) => ({ ...r, photos: change(r.photos || []) }), blobs)} />
      </div>`}
      ${problems.length > 0 && html`<p class="error row-error" role="alert" data-testid="row-error">${problems.map(([k, params]) =>
        (k === 'err_rows' ? t('err_row_unanswered', { key: key.tag_no }) : t('photo_needed_row', { n: params.n, key: key.tag_no })))
        .join('；')}</p>`}
    </li>`;
  })}</ol>`;
}
