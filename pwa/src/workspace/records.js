// The records list: filters and search kept in the hash (so a compliance gap can link here),
// paged, with exports (CSV, XLSX, and signed PDFs made by a background job on the server).
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, download } from '../shared/api.js';
import { formatTime, getLanguage, t, tx } from '../shared/i18n.js';
import { hashQuery, queryString } from '../shared/router.js';
import { todayIso } from '../shared/time.js';
import { checklistTitle, Header, propertyName, useCached, ZoneNote, zoneOf } from './common.js';

const STATUSES = ['submitted', 'returned', 'approved'];
export const statusBadge = (status) => html`<span class=${`badge ${status === 'approved' ? 'badge-ok'
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

  const [fieldErrors, setFieldErrors] = useState({});
  useEffect(() => {
    let cancelled = false;
    setError(null);
    setFieldErrors({});
    api(`/api/inspections?${queryString({ ...applied, page, per_page: 20 })}`)
      .then((value) => !cancelled && setData(value))
      .catch((err) => {
        if (cancelled) return;
        // The server names the filters it refused (from the form or a pasted link): mark them.
        setFieldErrors((err.details && err.details.fields && err.details.fields.query) || {});
        setError(err.message);
        setData({ items: [], total: 0, per_page: 20, failed: true });
      });
    return () => { cancelled = true; };
  }, [applied, page]);
  const fieldError = (name) => fieldErrors[name] && html`<span class="error small" role="alert"
    data-testid=${`f-error-${name}`}>${[].concat(fieldErrors[name]).join(' ')}</span>`;

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
        `xuncha-records-${todayIso()}.${format}`);
    } catch (err) { setError(err.message); } finally { setExporting(false); }
  };
  // Signed PDFs of the whole selection: the server renders them in a background job; the phone
  // or laptop polls its progress and downloads the file when it is ready.
  const [pdfJob, setPdfJob] = useState(null);
  const [pdfSaved, setPdfSaved] = useState(null);
  const exportPdf = async (format) => {
    setError(null);
    setPdfSaved(null);
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
      const file = `xuncha-records-${todayIso()}.${format}`;
      await download(`/api/exports/${job.id}/file`, file);
      // Where it went, in words, and a way to fetch it again while the server keeps it.
      setPdfSaved({ file, again: () => download(`/api/exports/${job.id}/file`, file) });
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
          aria-invalid=${!!fieldErrors.date_from} data-testid="f-from" />${fieldError('date_from')}</label>
        <label class="field">${t('date_to')}<input type="date" value=${filters.date_to} onInput=${set('date_to')}
          aria-invalid=${!!fieldErrors.date_to} data-testid="f-to" />${fieldError('date_to')}</label>
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
          placeholder=${t('search_hint')} aria-invalid=${!!fieldErrors.q} data-testid="f-q" />${fieldError('q')}</label>
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
      ${!applied.checklist && html`<span class="small muted" data-testid="csv-rule">${t('csv_rule')}</span>`}
      <button class="btn btn-small" disabled=${pdfRunning || !applied.property_id}
        title=${applied.property_id ? '' : t('pdf_needs_property')}
        onClick=${() => exportPdf('pdf')} data-testid="export-pdf">${t('export_pdf')}</button>
      <button class="btn btn-small" disabled=${pdfRunning || !applied.property_id}
        onClick=${() => exportPdf('zip')} data-testid="export-zip">${t('export_zip')}</button>
      ${!applied.property_id && html`<span class="small muted" data-testid="pdf-hint">${t('pdf_needs_property')}</span>`}
      ${pdfSaved && html`<span class="small" role="status" data-testid="pdf-saved">${t('pdf_saved', { file: pdfSaved.file })}
        <button class="btn btn-small btn-ghost" onClick=${() => pdfSaved.again().catch((err) => setError(err.message))}
          data-testid="pdf-again">${t('download_again')}</button></span>`}
      ${pdfJob && html`<span class="progress small" data-testid="pdf-progress">
        <progress max=${Math.max(1, pdfJob.total)} value=${pdfJob.done}
          aria-label=${t('pdf_progress', { done: pdfJob.done, total: pdfJob.total })}></progress>
        ${t('pdf_progress', { done: pdfJob.done, total: pdfJob.total })}</span>`}
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${!data ? html`<p class="muted">${t('loading')}</p>` : html`
      ${!data.failed && html`<p class="small" data-testid="records-total">${t('total_records', { n: data.total })}</p>`}
      ${data.items.length > 0 && html`<${ZoneNote} zones=${data.items.map((r) => zoneOf(properties, r.property_id))} />`}
      ${!data.items.length && !data.failed && html`<p class="muted">${t('no_records')}</p>`}
      <ul class="list card records-list" data-testid="records-list">${data.items.map((r) => html`<li>
        <a class="row-button" href=${`#/record/${r.id}`} data-testid="record-row" data-record-id=${r.id}>
          <span class="row-main"><strong>${tx(r.checklist.title)}</strong> · ${r.subject.label}<br />
            <span class="small">${r.inspector.display_name} · ${formatTime(r.completed_at, zoneOf(properties, r.property_id))}
              ${r.clock_differs ? html` · <span class="warn-text">⚠ ${t('phone_time')}</span>` : ''}
              · ${propertyName(properties.find((p) => p.id === r.property_id))}</span></span>
          ${r.has_failures && html`<span class="badge badge-error">${t('failed_item')}</span>`}
          ${r.late && html`<span class="badge badge-error" data-testid="late">${t('late')}</span>`}
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
