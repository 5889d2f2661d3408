// Starting an inspection by hand: pick a checklist and what it is about (an active renovation, a
// unit found by search, a staff member for a one-to-one talk, or the property itself), from the
// registers kept on the phone.
import { html } from 'htm/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { latestChecklists } from '../shared/checklist.js';
import { deviceIdentifier } from '../shared/device.js';
import { getLanguage, t } from '../shared/i18n.js';
import * as pulled from '../shared/pulled.js';
import { go, useRoute } from '../shared/router.js';
import { startDraft } from './form.js';
import { matchSubjects, rankUnits, shareEntry } from './rules.js';

export function NewInspection({ session }) {
  const route = useRoute();
  const propertyId = Number(route[1]) || session.propertyId;
  const [checklists, setChecklists] = useState(null);
  const [code, setCode] = useState(route[2] || '');
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState([]);
  const [property, setProperty] = useState(null);
  useEffect(() => {
    (async () => {
      setChecklists(latestChecklists(await pulled.allChecklists()));
      setProperty(await pulled.property(propertyId));
    })();
  }, [propertyId]);
  const checklist = (checklists || []).find((c) => c.code === code);
  const subjectType = checklist && (checklist.subject || checklist.definition.subject);
  useEffect(() => {
    (async () => {
      if (subjectType === 'renovation') {
        setRows((await pulled.renovationsOf(propertyId)).filter((r) => r.status === 'active')
          .map((r) => ({ id: r.id, label: `${r.unit_label} · ${r.contractor_name}` })));
      } else if (subjectType === 'unit') {
        const units = (await pulled.unitsOf(propertyId)).map((u) => ({ id: u.id, label: u.label,
          parts: { building: u.building, entrance: u.entrance, room: u.room }, keyCustomer: u.is_key_customer,
          search: `${u.building} ${u.entrance} ${u.room} ${u.label} ${u.owner_name || ''}` }));
        // Households not yet visited in the cycle first (key customers first among them), so the
        // patrol picks the next household without knowing the visit history.
        setRows(rankUnits(units, shareEntry(await pulled.dueList(), propertyId, code)));
      } else if (subjectType === 'staff') {
        setRows((await pulled.staffOf(propertyId)).map((p) => ({ id: p.id, label: p.display_name,
          search: p.display_name })));
      } else setRows([]);
    })();
  }, [subjectType, propertyId, code]);
  const matches = useMemo(() => matchSubjects(rows, query), [rows, query]);
  const start = async (subject, subjectLabel) => {
    const record = startDraft({ checklist, propertyId, subject, subjectLabel, session,
      deviceId: await deviceIdentifier() });
    go(`/form/${record.id}`);
  };
  if (!checklists) return html`<p class="boot">${t('loading')}</p>`;
  const propertyName = property ? property.name : '';
  return html`<main class="screen">
    <header class="topbar"><a class="btn btn-small btn-ghost" href="#/">‹ ${t('back')}</a><h1>${t('new_inspection')}</h1></header>
    ${!checklists.length && html`<p class="muted">${t('no_checklists')}</p>`}
    <label class="field">${t('checklist')}
      <select value=${code} onChange=${(e) => setCode(e.target.value)} data-testid="checklist-select">
        <option value="">${t('choose')}</option>
        ${checklists.map((c) => html`<option value=${c.code}>${getLanguage() === 'en' ? c.title_en : c.title_zh}</option>`)}
      </select></label>
    ${checklist && (subjectType === 'property' || subjectType === 'key_register') && html`
      <button class="btn btn-primary btn-block" onClick=${() => start({ type: subjectType, id: propertyId }, propertyName)}>
        ${t('start')} · ${propertyName}</button>`}
    ${checklist && (subjectType === 'renovation' || subjectType === 'unit' || subjectType === 'staff') && html`
      <label class="field">${subjectType === 'unit' ? t('search_unit') : subjectType === 'staff' ? t('pick_staff') : t('pick_subject')}
        <input type="search" value=${query} onInput=${(e) => setQuery(e.target.value)} data-testid="subject-search" /></label>
      ${!matches.length && html`<p class="muted">${subjectType === 'staff' && !rows.length ? t('no_staff') : t('no_match')}</p>`}
      <ul class="list" data-testid="subject-list">${matches.map((row) => html`<li>
        <button class="row-button" onClick=${() => start({ type: subjectType, id: row.id }, row.label)}>
          <span class="row-main">${row.label}</span>
          ${row.keyCustomer && html`<span class="badge badge-todo" data-testid="unit-key-customer">${t('key_customer')}</span>`}
          ${row.suggested && html`<span class="badge badge-ok" data-testid="unit-suggested">${t('unit_not_visited')}</span>`}
          ${row.visited && html`<span class="badge" data-testid="unit-visited">${t('unit_visited')}</span>`}
          <span aria-hidden="true">›</span></button></li>`)}
      </ul>`}
  </main>`;
}
