// Checklist rules on the phone: which items are required, what counts as a failure, and the
// validation that must pass before a record can be sealed. The server checks the same rules
// again and has the last word; tests/cases/checklist_rules.json holds cases both must agree on.
// Definitions arrive as the server publishes them, every default written in (required, min and
// max photos, max_length), so the phone repeats none of the format's defaults.
// Pure: no storage, no DOM, so the rules run (and are tested) in Node as well.

export const items = (definition) => definition.sections.flatMap((section) => section.items);

export function isRequired(item, answers) {
  if (item.required_when) {
    const other = answers[item.required_when.item];
    return !!other && other.value === item.required_when.equals;
  }
  return item.required ?? true;
}

/**
 * Does the item apply, given the outcome chosen? A checklist's `outcome` item (未遇, 停工 …)
 * makes the items that are required only for another outcome irrelevant: the form hides them.
 */
export function appliesToOutcome(definition, item, answers) {
  const outcome = definition.outcome;
  const when = item.required_when;
  if (!outcome || !when || when.item !== outcome.item) return true;
  const chosen = answers[outcome.item];
  return !chosen || chosen.value === undefined || chosen.value === when.equals;
}

export function isFailed(item, answer) {
  if (!answer) return false;
  const value = answer.value;
  switch (item.type) {
    case 'pass_fail': return value === 'fail';
    case 'yes_no': return item.fail_on !== undefined && value === item.fail_on;
    case 'number':
      return typeof value === 'number' && ((item.fail_below !== undefined && value < item.fail_below)
        || (item.fail_above !== undefined && value > item.fail_above));
    case 'single_choice': return (item.fail_values || []).includes(value);
    case 'multi_choice': return Array.isArray(value) && value.some((v) => (item.fail_values || []).includes(v));
    case 'register_rows':
      return Object.values(answer.rows || {}).some((row) => (item.row_fail_values || []).includes(row.value));
    default: return false;
  }
}

/** The longest reason for a signer not being available (the server's limit too). */
export const SIGNER_UNAVAILABLE_MAX_LENGTH = 200;

const empty = (value) => value === undefined || value === null || value === ''
  || (Array.isArray(value) && value.length === 0);

/**
 * Problems per item id: {item_id: [[messageKey, params], …]}. `registerRows` is the list of
 * register rows a register_rows item must cover (auditedKeys of the property's keys).
 */
export function validate(definition, answers, registerRows = []) {
  const problems = {};
  const add = (id, key, params) => { (problems[id] = problems[id] || []).push([key, params]); };
  for (const item of items(definition)) {
    const answer = answers[item.id];
    const required = isRequired(item, answers);
    const photos = (answer && answer.photos) || [];
    switch (item.type) {
      case 'photo': {
        const min = Math.max(item.min || 0, required ? 1 : 0);
        if (photos.length < min) add(item.id, 'photos_min', { n: min });
        if (photos.length > item.max) add(item.id, 'photos_max', { n: item.max });
        break;
      }
      case 'signature': {
        // A signer who is not there is recorded with a reason instead (never the inspector).
        const unavailable = answer && answer.signer_unavailable !== undefined;
        if (unavailable) {
          if ((item.signer || 'inspector') === 'inspector') add(item.id, 'err_unavailable_inspector');
          else if (answer.signature) add(item.id, 'err_signature_or_unavailable');
          else if (typeof answer.signer_unavailable !== 'string' || !answer.signer_unavailable.trim()
            || answer.signer_unavailable.trim().length > SIGNER_UNAVAILABLE_MAX_LENGTH) {
            add(item.id, 'err_unavailable_reason', { n: SIGNER_UNAVAILABLE_MAX_LENGTH });
          }
          break;
        }
        if (required && !(answer && answer.signature)) add(item.id, 'err_required');
        if (answer && answer.signature && !answer.signature.signer_name) add(item.id, 'err_signer_name');
        break;
      }
      case 'register_rows': {
        const rows = (answer && answer.rows) || {};
        const unanswered = registerRows.map((row) => String(row.id))
          .filter((id) => !rows[id] || empty(rows[id].value));
        if (required && unanswered.length) add(item.id, 'err_rows', { n: unanswered.length, rows: unanswered });
        const need = item.row_photo_when_failed || 0;
        for (const [id, row] of Object.entries(rows)) {
          if (need && (item.row_fail_values || []).includes(row.value) && (row.photos || []).length < need) {
            add(item.id, 'photo_needed_fail', { n: need, row: id });
          }
        }
        break;
      }
      default: {
        const value = answer && answer.value;
        if (empty(value)) {
          if (required) add(item.id, 'err_required');
          break;
        }
        if (item.type === 'number') {
          if (typeof value !== 'number' || Number.isNaN(value)) add(item.id, 'err_number');
          else {
            if (item.integer && !Number.isInteger(value)) add(item.id, 'err_integer');
            if (item.min !== undefined && value < item.min) add(item.id, 'err_min', { n: item.min });
            if (item.max !== undefined && value > item.max) add(item.id, 'err_max', { n: item.max });
          }
        }
        if (item.type === 'text' && value.length > item.max_length) add(item.id, 'err_length', { n: item.max_length });
        if (item.type === 'multi_choice') {
          if (item.min_selected && value.length < item.min_selected) add(item.id, 'err_min_selected', { n: item.min_selected });
          if (item.max_selected && value.length > item.max_selected) add(item.id, 'err_max_selected', { n: item.max_selected });
        }
        if (item.photo_when_failed && isFailed(item, answer) && photos.length < item.photo_when_failed) {
          add(item.id, 'photo_needed_fail', { n: item.photo_when_failed });
        }
      }
    }
  }
  return problems;
}

/**
 * The register rows a key audit must cover: every key the register still holds (in the cabinet,
 * lent out, or reported missing: the keeper checks again whether it turned up). A key handed
 * back to its owner has left the register.
 */
export const AUDITED_KEY_STATUSES = Object.freeze(['in_custody', 'lent', 'missing']);

export const auditedKeys = (keys) => keys.filter((k) => AUDITED_KEY_STATUSES.includes(k.status))
  .sort((a, b) => String(a.tag_no).localeCompare(String(b.tag_no), 'zh-CN', { numeric: true }));

/** Whether a checklist has a register_rows item (and so needs the register to be filled in). */
export const needsRegister = (checklist) => items(checklist.definition)
  .some((item) => item.type === 'register_rows');

/** The newest version of each checklist code. */
export function latestChecklists(all) {
  const latest = {};
  for (const c of all) if (!latest[c.code] || latest[c.code].version < c.version) latest[c.code] = c;
  return Object.values(latest);
}

/** The exact version, else the newest version of the same code. */
export const findChecklist = (all, code, version) => all.find((c) => c.code === code && c.version === version)
  || all.filter((c) => c.code === code).sort((a, b) => b.version - a.version)[0];
