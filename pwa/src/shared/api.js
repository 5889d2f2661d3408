// HTTP to the Xuncha API: bearer token, Accept-Language, the one error envelope.
import { getLanguage } from './i18n.js';

let token = null;
export function setToken(value) { token = value; }

/** A refusal by the server (it answered, with a status and an error envelope). */
export class ApiError extends Error {
  constructor(status, envelope) {
    const error = (envelope && envelope.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `http.${status}`;
    this.details = error.details || {};
  }
}

/** The request never got an answer (offline, cut connection, captive portal garbage). */
export class NetworkError extends Error {}

export async function api(path, { method = 'GET', json, body, headers = {}, signal } = {}) {
  const allHeaders = { 'Accept-Language': getLanguage(), Accept: 'application/json', ...headers };
  if (token) allHeaders.Authorization = `Bearer ${token}`;
  if (json !== undefined) {
    allHeaders['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers: allHeaders, body, signal, cache: 'no-store' });
  } catch (error) {
    throw new NetworkError(error.message);
  }
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('application/json')) {
    try { data = await response.json(); } catch (error) { throw new NetworkError('bad JSON'); }
  } else if (response.status !== 204) {
    // Our API answers JSON; anything else is a proxy or portal, not our server.
    throw new NetworkError(`unexpected ${response.status} ${type}`);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/**
 * Connectivity is decided by a real request to a no-store endpoint that touches the database,
 * never by navigator.onLine: a phone on a captive portal or a dead Wi-Fi says "online" too.
 */
export async function serverReachable() {
  try {
    const data = await api('/api/health');
    return !!data && data.status === 'ok';
  } catch (error) {
    return false;
  }
}

/** Bytes the API serves (images, exports): fetched with the token, so never a plain <img src>. */
export async function apiBlob(path) {
  const headers = { 'Accept-Language': getLanguage() };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { headers, cache: 'no-store' });
  } catch (error) {
    throw new NetworkError(error.message);
  }
  if (!response.ok) {
    let data = null;
    try { data = await response.json(); } catch (error) { /* not our envelope */ }
    throw new ApiError(response.status, data);
  }
  return response.blob();
}

/** Save what the API answers as a file: fetch with the token, then a temporary blob URL. */
export async function download(path, filename) {
  const blob = await apiBlob(path);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
