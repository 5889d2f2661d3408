// Hash routes (#/form/<id>, #/records?property_id=1): the app is one page, and a reload of any
// route must still open offline from the service worker's copy of index.html.
import { useEffect, useState } from 'preact/hooks';

export const go = (path) => { window.location.hash = path; };

/** The path of the current hash as its parts: #/form/abc?x=1 → ['form', 'abc']. */
export function useRoute() {
  const [hash, setHash] = useState(window.location.hash || '#/');
  useEffect(() => {
    const onChange = () => setHash(window.location.hash || '#/');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash.slice(1).split('?')[0].split('/').filter(Boolean);
}

/** The query part of the hash (#/records?checklist=x) as an object. */
export function hashQuery() {
  const hash = window.location.hash || '';
  const at = hash.indexOf('?');
  return at < 0 ? {} : Object.fromEntries(new URLSearchParams(hash.slice(at + 1)));
}

export const queryString = (params) => new URLSearchParams(
  Object.entries(params).filter(([, v]) => v !== '' && v != null && v !== false)).toString();
