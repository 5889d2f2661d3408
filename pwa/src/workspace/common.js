// What the workspace screens share: small lists fetched once, names in the chosen language, the
// screen header, and images fetched with the token.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, apiBlob } from '../shared/api.js';
import { getLanguage, localName, t, zoneName } from '../shared/i18n.js';
import { DEFAULT_ZONE } from '../shared/time.js';

const cache = new Map();
/** GET once per app run (properties, checklists, people): small lists that rarely change. */
export function useCached(path) {
  const [value, setValue] = useState(cache.get(path) || null);
  useEffect(() => {
    if (!path || cache.has(path)) { setValue(path ? cache.get(path) : null); return; }
    api(path).then((data) => { cache.set(path, data); setValue(data); }).catch(() => setValue([]));
  }, [path]);
  return value;
}

export const propertyName = localName;

/** A property's time zone: a screen shows every time on the clock of the property it belongs to. */
export const zoneOf = (properties, id) => {
  const found = (properties || []).find((p) => p.id === id);
  return (found && found.timezone) || DEFAULT_ZONE;
};

/** One line saying which clock the screen's times are on. */
export function ZoneNote({ zones }) {
  const unique = [...new Set(zones)];
  if (!unique.length) return null;
  return html`<p class="small muted" data-testid="zone-note">${t('times_in_zone', {
    zone: unique.map(zoneName).join(getLanguage() === 'en' ? ', ' : '、') })}</p>`;
}
export const checklistTitle = (c) => (getLanguage() === 'en' ? c.title_en : c.title_zh);

export function Header({ title, back }) {
  return html`<header class="topbar">
    ${back && html`<a class="btn btn-small btn-ghost" href=${back}>‹ ${t('back')}</a>`}
    <h1>${title}</h1></header>`;
}

/** An image from the API (token in the header), as a thumbnail that opens full size. */
export function AuthImage({ sha256, variant = 'thumb', alt, zoom = true, className = 'thumb-img' }) {
  const [url, setUrl] = useState(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let objectUrl;
    let cancelled = false;
    apiBlob(`/api/blobs/${sha256}?variant=${variant}`).then((blob) => {
      if (cancelled) return;
      objectUrl = URL.createObjectURL(blob);
      setUrl(objectUrl);
    }).catch(() => setUrl(''));
    return () => { cancelled = true; if (objectUrl) URL.revokeObjectURL(objectUrl); };
  }, [sha256, variant]);
  if (url === '') return html`<span class="badge badge-error">${t('missing_attachments', { n: 1 })}</span>`;
  const image = url ? html`<img src=${url} alt=${alt} class=${className} data-sha256=${sha256} />`
    : html`<span class=${`${className} img-loading`}></span>`;
  if (!zoom) return image;
  return html`<button class="img-button" onClick=${() => setOpen(true)} aria-label=${t('open_full')}>${image}</button>
    ${open && html`<div class="lightbox" role="dialog" aria-label=${t('open_full')} data-testid="lightbox"
        onClick=${() => setOpen(false)}>
      <${AuthImage} sha256=${sha256} variant="display" alt=${alt} zoom=${false} className="full-img" />
      <button class="btn btn-small" onClick=${() => setOpen(false)}>${t('close')}</button></div>`}`;
}
