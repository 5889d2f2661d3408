// The supervisor workspace (supervisors, managers, admins): records with filters and export, a
// record's full view with review, and compliance. Online screens: they read the API directly
// and keep nothing on the phone (the patrol screens are the offline ones).
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, apiBlob, download } from './api.js';
import { isFailed } from './checklist.js';
import { formatTime, getLanguage, t, tx } from './i18n.js';

export const SUPERVISING = new Set(['supervisor', 'manager', 'admin']);

/** The query part of the hash (#/records?checklist=x) as an object. */
export function hashQuery() {
  const hash = window.location.hash || '';
  const at = hash.indexOf('?');
  return at < 0 ? {} : Object.fromEntries(new URLSearchParams(hash.slice(at + 1)));
}

export const queryString = (params) => new URLSearchParams(
  Object.entries(params).filter(([, v]) => v !== '' && v != null && v !== false)).toString();

const cache = new Map();
/** GET once per app run (properties, checklists, people): small lists that rarely change. */
function useCached(path) {
  const [value, setValue] = useState(cache.get(path) || null);
  useEffect(() => {
    if (!path || cache.has(path)) { setValue(path ? cache.get(path) : null); return; }
    api(path).then((data) => { cache.set(path, data); setValue(data); }).catch(() => setValue([]));
  }, [path]);
  return value;
}

const propertyName = (p) => (p ? (getLanguage() === 'en' && p.name_en ? p.name_en : p.name) : '');
const checklistTitle = (c) => (getLanguage() === 'en' ? c.title_en : c.title_zh);

export function WorkspaceNav({ active }) {
  const links = [['/', 'nav_patrol', 'home'], ['/records', 'nav_records', 'records'],
    ['/followups', 'nav_follow_ups', 'followups'], ['/compliance', 'nav_compliance', 'compliance']];
  return html`<nav class="wsnav" aria-label=${t('app')}>${links.map(([path, key, name]) => html`
    <a href=${`#${path}`} class=${active === name ? 'active' : ''} aria-current=${active === name ? 'page' : null}
      data-testid=${`nav-${name}`}>${t(key)}</a>`)}</nav>`;
}

function Header({ title, back }) {
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

const STATUSES = ['submitted', 'returned', 'approved'];
const statusBadge = (status) => html`<span class=${`badge ${status === 'approved' ? 'badge-ok'
  : status === 'returned' ? 'badge-error' : 'badge-todo'}`} data-testid="record-status">${t(`st_${status}`)}</span>`;

/** Records list: filters and search in the hash (so a compliance gap can link here), paged, export. */
export function Records() {
  const initial = hashQuery();
  const [filters, setFilters] = useState({ property_id: '', checklist: '', date_from: '', date_to: '',
    inspector_id: '', status: '', has_failures: '', unit_id: '', q: '', ...initial });
  const [page, setPage] = useState(Number(initial.page) || 1);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [exporting, setExporting] = useState(false);
  const [unitQuery, setUnitQuery] = useState('');
  const [units, setUnits] = useState([]);
  const properties = useCached('/api/properties') || [];
  const checklists = useCached('/api/checklists') || [];
  const people = useCached(`/api/users${filters.property_id ? `?property_id=${filters.property_id}` : ''}`) || [];
  const [applied, setApplied] = useState(filters);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    api(`/api/inspections?${queryString({ ...applied, page, per_page: 20 })}`)
      .then((value) => !cancelled && setData(value))
      .catch((err) => !cancelled && setError(err.message));
    return () => { cancelled = true; };
  }, [applied, page]);

  useEffect(() => {
    if (!filters.property_id || !unitQuery.trim()) { setUnits([]); return; }
    const timer = setTimeout(() => api(`/api/properties/${filters.property_id}/units?${queryString(
      { q: unitQuery.trim(), per_page: 20 })}`).then((p) => setUnits(p.items)).catch(() => setUnits([])), 250);
    return () => clearTimeout(timer);
  }, [filters.property_id, unitQuery]);

  const set = (name) => (event) => setFilters({ ...filters, [name]: event.target.type === 'checkbox'
    ? (event.target.checked ? 'true' : '') : event.target.value });
  const apply = (event) => {
    event.preventDefault();
    setApplied({ ...filters });
    setPage(1);
    window.history.replaceState(null, '', `#/records?${queryString(filters)}`);
  };
  const reset = () => {
    const empty = Object.fromEntries(Object.keys(filters).map((k) => [k, '']));
    setFilters(empty); setApplied(empty); setPage(1); setUnitQuery('');
    window.history.replaceState(null, '', '#/records');
  };
  const exportAs = async (format) => {
    setExporting(true);
    try {
      await download(`/api/inspections/export?${queryString({ ...applied, format })}`,
        `xuncha-records-${new Date().toISOString().slice(0, 10)}.${format}`);
    } catch (err) { setError(err.message); } finally { setExporting(false); }
  };
  // Signed PDFs of the whole selection: the server renders them in a background job; the phone
  // or laptop polls its progress and downloads the file when it is ready.
  const [pdfJob, setPdfJob] = useState(null);
  const exportPdf = async (format) => {
    setError(null);
    const numeric = new Set(['property_id', 'inspector_id', 'unit_id']);
    const json = { format, lang: getLanguage() };
    for (const [key, value] of Object.entries(applied)) {
      if (value === '' || value == null) continue;
      json[key] = numeric.has(key) ? Number(value) : key === 'has_failures' ? value === 'true' : value;
    }
    try {
      let job = await api('/api/exports', { method: 'POST', json });
      setPdfJob(job);
      while (job.status === 'queued' || job.status === 'running') {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        job = await api(`/api/exports/${job.id}`);
        setPdfJob(job);
      }
      if (job.status !== 'done') throw new Error(job.error || job.status);
      await download(`/api/exports/${job.id}/file`,
        `xuncha-records-${new Date().toISOString().slice(0, 10)}.${format}`);
    } catch (err) { setError(err.message); }
  };
  const pdfRunning = pdfJob && (pdfJob.status === 'queued' || pdfJob.status === 'running');
  const pages = data ? Math.max(1, Math.ceil(data.total / data.per_page)) : 1;
  const lang = getLanguage();
  return html`<main class="screen screen-wide" data-testid="records">
    <${Header} title=${t('records')} />
    <details class="card filters" open=${window.innerWidth > 700 || Object.keys(initial).length > 0}>
      <summary><strong>${t('filters')}</strong></summary>
      <form onSubmit=${apply} class="filter-grid">
        <label class="field">${t('property')}<select value=${filters.property_id} onChange=${set('property_id')}
            data-testid="f-property"><option value="">${t('all')}</option>
          ${properties.map((p) => html`<option value=${p.id}>${propertyName(p)}</option>`)}</select></label>
        <label class="field">${t('checklist')}<select value=${filters.checklist} onChange=${set('checklist')}
            data-testid="f-checklist"><option value="">${t('all')}</option>
          ${checklists.map((c) => html`<option value=${c.code}>${checklistTitle(c)}</option>`)}</select></label>
        <label class="field">${t('date_from')}<input type="date" value=${filters.date_from} onInput=${set('date_from')}
          data-testid="f-from" /></label>
        <label class="field">${t('date_to')}<input type="date" value=${filters.date_to} onInput=${set('date_to')}
          data-testid="f-to" /></label>
        <label class="field">${t('inspector')}<select value=${filters.inspector_id} onChange=${set('inspector_id')}
            data-testid="f-inspector"><option value="">${t('all')}</option>
          ${people.map((u) => html`<option value=${u.id}>${u.display_name}</option>`)}</select></label>
        <label class="field">${t('status')}<select value=${filters.status} onChange=${set('status')}
            data-testid="f-status"><option value="">${t('all')}</option>
          ${STATUSES.map((s) => html`<option value=${s}>${t(`st_${s}`)}</option>`)}</select></label>
        ${filters.property_id && html`<label class="field">${t('unit_filter')}
          <input type="search" value=${unitQuery} onInput=${(e) => setUnitQuery(e.target.value)} data-testid="f-unit-search" />
          ${(units.length > 0 || filters.unit_id) && html`<select value=${filters.unit_id} onChange=${set('unit_id')}
              data-testid="f-unit"><option value="">${t('all')}</option>
            ${filters.unit_id && !units.some((u) => String(u.id) === String(filters.unit_id))
              && html`<option value=${filters.unit_id}>#${filters.unit_id}</option>`}
            ${units.map((u) => html`<option value=${u.id}>${u.label}</option>`)}</select>`}</label>`}
        <label class="field">${t('search')}<input type="search" value=${filters.q} onInput=${set('q')}
          placeholder=${t('search_hint')} data-testid="f-q" /></label>
        <label class="check"><input type="checkbox" checked=${filters.has_failures === 'true'}
          onChange=${set('has_failures')} data-testid="f-failures" /> ${t('has_failures')}</label>
        <div class="actions filter-actions">
          <button class="btn btn-primary" type="submit" data-testid="f-apply">${t('apply')}</button>
          <button class="btn" type="button" onClick=${reset}>${t('reset')}</button>
        </div>
      </form>
    </details>
    <div class="actions">
      <button class="btn btn-small" disabled=${exporting} onClick=${() => exportAs('xlsx')} data-testid="export-xlsx">
        ${t('export_xlsx')}</button>
      <button class="btn btn-small" disabled=${exporting} onClick=${() => exportAs('csv')} data-testid="export-csv">
        ${t('export_csv')}</button>
      ${exporting && html`<span class="small">${t('exporting')}</span>`}
      <button class="btn btn-small" disabled=${pdfRunning || !applied.property_id}
        title=${applied.property_id ? '' : t('pdf_needs_property')}
        onClick=${() => exportPdf('pdf')} data-testid="export-pdf">${t('export_pdf')}</button>
      <button class="btn btn-small" disabled=${pdfRunning || !applied.property_id}
        onClick=${() => exportPdf('zip')} data-testid="export-zip">${t('export_zip')}</button>
      ${pdfJob && html`<span class="progress small" data-testid="pdf-progress">
        <progress max=${Math.max(1, pdfJob.total)} value=${pdfJob.done}
          aria-label=${t('pdf_progress', { done: pdfJob.done, total: pdfJob.total })}></progress>
        ${t('pdf_progress', { done: pdfJob.done, total: pdfJob.total })}</span>`}
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data ? html`<p class="muted">${t('loading')}</p>` : html`
      <p class="small" data-testid="records-total">${t('total_records', { n: data.total })}</p>
      ${!data.items.length && html`<p class="muted">${t('no_records')}</p>`}
      <ul class="list card records-list" data-testid="records-list">${data.items.map((r) => html`<li>
        <a class="row-button" href=${`#/record/${r.id}`} data-testid="record-row" data-record-id=${r.id}>
          <span class="row-main"><strong>${tx(r.checklist.title)}</strong> · ${r.subject.label}<br />
            <span class="small">${r.inspector.display_name} · ${formatTime(r.completed_at)}
              ${r.clock_differs ? html` · <span class="warn-text">⚠ ${t('phone_time')}</span>` : ''}
              · ${propertyName(properties.find((p) => p.id === r.property_id))}</span></span>
          ${r.has_failures && html`<span class="badge badge-error">${t('failed_item')}</span>`}
          ${statusBadge(r.status)}</a></li>`)}</ul>
      <div class="pager">
        <button class="btn btn-small" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>${t('prev')}</button>
        <span class="small">${t('page_of', { page, pages })}</span>
        <button class="btn btn-small" disabled=${page >= pages} onClick=${() => setPage(page + 1)}
          data-testid="next-page">${t('next')}</button>
      </div>`}
    <span hidden>${lang}</span>
  </main>`;
}

const minutes = (seconds) => Math.round(Math.abs(seconds) / 60);

/** One record laid out like its form, with review and history. */
export function RecordView({ id, session, pdfAvailable }) {
  const [record, setRecord] = useState(null);
  const [checklist, setChecklist] = useState(null);
  const [history, setHistory] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const value = await api(`/api/inspections/${id}`);
        const [definition, trail] = await Promise.all([
          api(`/api/checklists/${value.checklist.code}/versions/${value.checklist.version}`),
          api(`/api/inspections/${id}/history`)]);
        if (!cancelled) { setRecord(value); setChecklist(definition); setHistory(trail); }
      } catch (err) { if (!cancelled) setError(err.message); }
    })();
    return () => { cancelled = true; };
  }, [id, tick]);
  if (error) return html`<main class="screen"><${Header} title=${t('record')} back="#/records" />
    <p class="error" role="alert">${error}</p></main>`;
  if (!record || !checklist) return html`<main class="screen"><p class="boot">${t('loading')}</p></main>`;
  const offset = record.device_clock_offset_seconds;
  const differs = offset != null && Math.abs(offset) > 300;
  const missing = (record.attachments && record.attachments.missing) || [];
  const canReview = SUPERVISING.has(session.user.role) && record.status === 'submitted';
  const lastReturn = [...(record.reviews || [])].reverse().find((r) => r.action === 'return');
  return html`<main class="screen screen-wide" data-testid="record-view" data-record-id=${record.id}>
    <${Header} title=${`${checklistTitle(checklist)} · ${t('revision', { n: record.revision })}`} back="#/records" />
    <section class="card record-meta">
      <p>${statusBadge(record.status)} ${record.inspector.display_name}
        ${pdfAvailable && html` · <a href=${`/api/inspections/${record.id}/pdf`} onClick=${(e) => {
          e.preventDefault(); download(`/api/inspections/${record.id}/pdf`, `xuncha-${record.id}.pdf`);
        }} data-testid="pdf">${t('pdf')}</a>`}</p>
      <dl class="times">
        <dt>${t('phone_time')}</dt><dd data-testid="phone-time">${formatTime(record.completed_at)}</dd>
        <dt>${t('server_time')}</dt><dd data-testid="server-time">${formatTime(record.received_at)}
          ${differs && html` <span class="badge badge-error" data-testid="clock-differs">⚠ ${t('time_differs',
            { m: minutes(offset) })}</span>`}</dd>
        <dt>${t('seal_hash')}</dt><dd><span class=${`badge ${record.seal.verified ? 'badge-ok' : 'badge-error'}`}
          data-testid="seal-status">${record.seal.verified ? t('seal_ok') : t('seal_bad')}</span>
          <code class="hash">${record.seal.hash}</code></dd>
      </dl>
      ${missing.length > 0 && html`<p class="notice notice-error" data-testid="missing">
        ${t('missing_attachments', { n: missing.length })}</p>`}
      ${lastReturn && record.status === 'returned' && html`<p class="review-note">${t('review_comment')}: ${lastReturn.comment}</p>`}
    </section>
    <${ReviewableAnswers} record=${record} checklist=${checklist} canReview=${canReview} missing=${missing}
      onReviewed=${() => setTick(tick + 1)} />
    ${history && html`<${History} history=${history} />`}
  </main>`;
}

function answerText(item, answer) {
  if (!answer || answer.value === undefined || answer.value === null || answer.value === '') return '';
  const value = answer.value;
  if (['pass', 'fail', 'na', 'yes', 'no'].includes(value) && (item.type === 'pass_fail' || item.type === 'yes_no')) {
    return t(value);
  }
  if (item.options) {
    const label = (v) => { const o = item.options.find((x) => x.value === v); return o ? tx(o.label) : v; };
    return Array.isArray(value) ? value.map(label).join('、') : label(value);
  }
  return `${value}${item.unit ? ` ${tx(item.unit)}` : ''}`;
}

function PhotoList({ photos, missing }) {
  if (!photos || !photos.length) return null;
  return html`<div class="thumbs">${photos.map((p) => (missing.includes(p.sha256)
    ? html`<span class="badge badge-error" data-testid="missing-photo">${t('missing_attachments', { n: 1 })}</span>`
    : html`<${AuthImage} key=${p.sha256} sha256=${p.sha256} alt=${t('photos')} />`))}</div>`;
}

function ReviewableAnswers({ record, checklist, canReview, missing, onReviewed }) {
  const [comments, setComments] = useState({});
  const [overall, setOverall] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState(null);
  const send = async (action) => {
    const itemComments = Object.fromEntries(Object.entries(comments).filter(([, v]) => v.trim()));
    if (action === 'return' && !overall.trim() && !Object.keys(itemComments).length) {
      setMessage({ error: true, text: t('return_needs_comment') });
      return;
    }
    setBusy(true);
    try {
      await api(`/api/inspections/${record.id}/review`, { method: 'POST', json: {
        action, revision: record.revision, comment: overall.trim() || null, item_comments: itemComments } });
      setMessage({ error: false, text: t('reviewed_ok') });
      onReviewed();
    } catch (err) {
      setMessage({ error: true, text: err instanceof ApiError ? err.message : String(err.message) });
    } finally { setBusy(false); }
  };
  const answers = record.answers || {};
  return html`
    ${checklist.definition.sections.map((section) => html`<section class="card">
      <h2>${tx(section.title)}</h2>
      ${section.items.map((item) => {
        const answer = answers[item.id];
        const failed = isFailed(item, answer);
        const text = answerText(item, answer);
        return html`<div class=${`item ${failed ? 'item-failed-view' : ''}`} data-item=${item.id}
            data-failed=${failed ? 'true' : 'false'}>
          <div class="item-label">${tx(item.label)}</div>
          ${text && html`<p class="answer">${failed ? html`<span class="badge badge-error">${text}</span>` : text}</p>`}
          ${!answer && html`<p class="small">${t('no_answer')}</p>`}
          ${answer && answer.comment && html`<p class="small">${t('comment')}: ${answer.comment}</p>`}
          ${answer && html`<${PhotoList} photos=${answer.photos} missing=${missing} />`}
          ${answer && answer.signature && html`<figure class="signature-image">
            ${missing.includes(answer.signature.sha256)
              ? html`<span class="badge badge-error">${t('missing_attachments', { n: 1 })}</span>`
              : html`<${AuthImage} sha256=${answer.signature.sha256} variant="display" alt=${t('signature')}
                  zoom=${false} className="sig-img" />`}
            <figcaption class="small">${answer.signature.signer_name}
              · ${t('signed_at', { time: formatTime(answer.signature.signed_at) })}</figcaption></figure>`}
          ${answer && answer.rows && html`<ul class="register-rows">${Object.entries(answer.rows).map(([key, row]) => html`
            <li class="register-row"><strong>${key}</strong> ${(item.row_options || []).map((o) => (o.value === row.value
              ? html`<span class=${`badge ${(item.row_fail_values || []).includes(row.value) ? 'badge-error' : 'badge-ok'}`}>
                  ${tx(o.label)}</span>` : ''))}
              ${row.comment && html`<span class="small"> ${row.comment}</span>`}
              <${PhotoList} photos=${row.photos} missing=${missing} /></li>`)}</ul>`}
          ${canReview && html`<label class="field small review-field">${t('item_comment')}
            <textarea rows="1" value=${comments[item.id] || ''} data-testid=${`review-item-${item.id}`}
              onInput=${(e) => setComments({ ...comments, [item.id]: e.target.value })}></textarea></label>`}
        </div>`;
      })}
    </section>`)}
    ${canReview && html`<section class="card review-box" data-testid="review-box">
      <h2>${t('review')}</h2>
      <label class="field">${t('review_overall')}<textarea rows="2" value=${overall}
        onInput=${(e) => setOverall(e.target.value)} data-testid="review-comment-input"></textarea></label>
      ${message && html`<p class=${message.error ? 'error' : 'small'} role="alert">${message.text}</p>`}
      <div class="actions">
        <button class="btn btn-primary" disabled=${busy} onClick=${() => send('approve')} data-testid="approve">
          ${t('approve')}</button>
        <button class="btn" disabled=${busy} onClick=${() => send('return')} data-testid="return">
          ${t('return_record')}</button>
      </div>
    </section>`}
    ${!canReview && message && html`<p class="small" role="status">${message.text}</p>`}`;
}

function History({ history }) {
  const steps = [
    ...history.revisions.map((r) => ({ at: r.received_at, text: t('history_revision', { n: r.revision }),
      detail: r.device_clock_offset_seconds != null && Math.abs(r.device_clock_offset_seconds) > 300
        ? `⚠ ${t('time_differs', { m: minutes(r.device_clock_offset_seconds) })}` : '' })),
    ...history.reviews.map((r) => ({ at: r.created_at,
      text: t('history_review', { who: r.actor.display_name, action: t(`act_${r.action}`) }),
      detail: [r.comment, ...Object.entries(r.item_comments || {}).map(([k, v]) => `${k}: ${v}`)]
        .filter(Boolean).join(' · ') })),
  ].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  return html`<section class="card" data-testid="history"><h2>${t('history')}</h2>
    <ol class="timeline">${steps.map((s) => html`<li><span class="small">${formatTime(s.at)}</span>
      ${s.text}${s.detail && html`<br /><span class="small">${s.detail}</span>`}</li>`)}</ol></section>`;
}

/** Month-by-month compliance per property: a table, a bar per rule, a 6-month trend per checklist. */
export function Compliance() {
  const initial = hashQuery();
  const thisMonth = new Date().toISOString().slice(0, 7);
  const [month, setMonth] = useState(initial.month || thisMonth);
  const [propertyId, setPropertyId] = useState(initial.property_id || '');
  const [data, setData] = useState(null);
  const [trend, setTrend] = useState([]);
  const [error, setError] = useState(null);
  const properties = useCached('/api/properties') || [];
  useEffect(() => {
    let cancelled = false;
    setData(null);
    const q = queryString({ month, property_id: propertyId });
    Promise.all([api(`/api/compliance?${q}`), api(`/api/compliance/trend?${queryString({ months: 6, property_id: propertyId })}`)])
      .then(([value, points]) => { if (!cancelled) { setData(value); setTrend(points); setError(null); } })
      .catch((err) => !cancelled && setError(err.message));
    return () => { cancelled = true; };
  }, [month, propertyId]);
  return html`<main class="screen screen-wide" data-testid="compliance">
    <${Header} title=${t('compliance')} />
    <div class="card filter-grid">
      <label class="field">${t('month')}<input type="month" value=${month} onInput=${(e) => e.target.value && setMonth(e.target.value)}
        data-testid="c-month" /></label>
      <label class="field">${t('property')}<select value=${propertyId} onChange=${(e) => setPropertyId(e.target.value)}
          data-testid="c-property"><option value="">${t('all_properties')}</option>
        ${properties.map((p) => html`<option value=${p.id}>${propertyName(p)}</option>`)}</select></label>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data ? html`<p class="muted">${t('loading')}</p>` : data.properties.map((entry) => html`
      <${PropertyCompliance} entry=${entry} month=${data.month}
        trend=${trend.filter((p) => p.property_id === entry.property.id)} />`)}
  </main>`;
}

function monthRange(month) {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { date_from: `${month}-01`, date_to: `${month}-${String(last).padStart(2, '0')}` };
}

function PropertyCompliance({ entry, month, trend }) {
  const prop = entry.property;
  const byChecklist = {};
  for (const point of trend) (byChecklist[point.checklist_code] ||= []).push(point);
  return html`<section class="card" data-testid="compliance-property" data-property-id=${prop.id}>
    <h2>${propertyName(prop)} · ${month}</h2>
    ${!entry.rules.length && html`<p class="muted">${t('no_rules')}</p>`}
    <div class="table-wrap"><table class="ctable">
      <thead><tr><th>${t('rule')}</th><th>${t('required_n')}</th><th>${t('done_n')}</th><th>${t('rate')}</th></tr></thead>
      <tbody>${entry.rules.map((rule) => html`<tr data-testid="rule-row" data-rule=${rule.rule_id}
          data-checklist=${rule.checklist_code} class=${rule.met ? '' : 'row-miss'}>
        <td>${tx(rule.checklist_title)}<br /><span class="small">${tx(rule.label)}
          · ${t('periods_met', { met: rule.periods_met, n: rule.periods })}</span></td>
        <td data-testid="rule-required">${rule.required}</td>
        <td data-testid="rule-done">${rule.done}</td>
        <td><span class=${`badge ${rule.met ? 'badge-ok' : 'badge-error'}`}>${Math.round(rule.rate * 100)}%
          ${rule.met ? t('met') : t('not_met')}</span></td></tr>`)}</tbody></table></div>
    <div class="bars" aria-hidden="true">${entry.rules.map((rule) => html`<div class="bar-row">
      <span class="bar-label">${tx(rule.label)}</span>
      <span class="bar-track"><span class=${`bar ${rule.met ? 'bar-ok' : 'bar-miss'}`}
        style=${`width:${Math.min(100, Math.round(rule.rate * 100))}%`}></span></span>
      <span class="bar-value">${rule.done}/${rule.required}</span></div>`)}</div>
    ${entry.rules.some((r) => r.gaps && r.gaps.length) && html`<details class="gaps" data-testid="gaps">
      <summary>${t('gaps')}</summary>
      ${entry.rules.filter((r) => r.gaps && r.gaps.length).map((rule) => html`<div class="gap-rule">
        <p><strong>${tx(rule.label)}</strong> · <a href=${`#/records?${queryString({ property_id: prop.id,
          checklist: rule.checklist_code, ...monthRange(month) })}`} data-testid="gap-records">${t('see_records')}</a></p>
        <ul class="small">${rule.gaps.map((gap) => html`<li><a href=${`#/records?${queryString({
            property_id: prop.id, checklist: rule.checklist_code, date_from: gap.period_start, date_to: gap.period_end,
            unit_id: gap.subject && gap.subject.type === 'unit' ? gap.subject.id : '' })}`}>${t('gap_line', {
          start: gap.period_start, end: gap.period_end,
          subject: (gap.subject && (gap.subject.label || gap.subject.id)) || '', done: gap.done, required: gap.required })}</a></li>`)}
        </ul></div>`)}
    </details>`}
    ${Object.keys(byChecklist).length > 0 && html`<h3 class="small">${t('trend')}</h3>
      <div class="trends">${Object.entries(byChecklist).map(([code, points]) => html`<${Trend} code=${code} points=${points} />`)}</div>`}
  </section>`;
}

/** A small SVG column chart: one column per month, height = completion rate. */
function Trend({ code, points }) {
  const width = 24 * points.length;
  return html`<figure class="trend" data-testid="trend" data-checklist=${code}>
    <svg viewBox=${`0 0 ${width} 44`} width=${width * 2} height="88" role="img"
      aria-label=${points.map((p) => `${p.month} ${Math.round(p.rate * 100)}%`).join(', ')}>
      ${points.map((p, i) => {
        const h = Math.max(1, Math.round(Math.min(1, p.rate) * 40));
        return html`<rect x=${i * 24 + 4} y=${42 - h} width="16" height=${h}
          fill=${p.rate >= 1 ? '#1b6e2e' : '#b3261e'}><title>${p.month}: ${p.done}/${p.required}</title></rect>`;
      })}
      <line x1="0" y1="42.5" x2=${width} y2="42.5" stroke="#7d8594" stroke-width="1" />
    </svg>
    <figcaption class="small">${code}</figcaption></figure>`;
}
