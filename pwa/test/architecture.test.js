// The PWA's module boundaries, read from the sources: who may import whom, and where IndexedDB
// store names and record states may be written.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sources(folder = SRC) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.js') ? [relative(SRC, path)] : [];
  });
}

const FILES = sources();
const text = (file) => readFileSync(join(SRC, file), 'utf8');

/** Static imports of a file: local ones as paths relative to src/, packages by name. */
function importsOf(file) {
  const found = [...text(file).matchAll(/^\s*import\s+(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  return found.map((spec) => (spec.startsWith('.') ? relative(SRC, join(SRC, dirname(file), spec)) : spec));
}

function reachable(file, seen = new Set()) {
  for (const target of importsOf(file)) {
    if (seen.has(target)) continue;
    seen.add(target);
    if (FILES.includes(target)) reachable(target, seen);
  }
  return seen;
}

test('the first load never imports the workspace: only import() reaches src/workspace/', () => {
  const first = reachable('main.js');
  assert.deepEqual([...first].filter((file) => file.startsWith('workspace/')), []);
  assert.match(text('app.js'), /import\('\.\/workspace\/index\.js'\)/);
});

test('folders by who uses them: shared/ imports neither field/ nor workspace/; those two not each other', () => {
  for (const file of FILES) {
    const targets = importsOf(file);
    if (file.startsWith('shared/')) {
      assert.deepEqual(targets.filter((t) => t.startsWith('field/') || t.startsWith('workspace/')), [], file);
    }
    if (file.startsWith('field/')) assert.deepEqual(targets.filter((t) => t.startsWith('workspace/')), [], file);
    if (file.startsWith('workspace/')) assert.deepEqual(targets.filter((t) => t.startsWith('field/')), [], file);
  }
});

test('pure modules reach no storage and no DOM library, so they run in Node', () => {
  const pure = ['shared/answers.js', 'shared/checklist.js', 'shared/seal.js', 'shared/retry.js', 'shared/time.js',
    'shared/roles.js', 'shared/record-state.js', 'field/rules.js', 'routes.js'];
  for (const file of pure) {
    const banned = [...reachable(file)].filter((t) => ['shared/db.js', 'idb', 'preact', 'htm/preact'].includes(t));
    assert.deepEqual(banned, [], file);
  }
});

// Only these modules name IndexedDB stores or the states of local records and follow-up steps.
const REPOSITORIES = ['shared/db.js', 'shared/records.js', 'shared/record-state.js', 'shared/followup-queue.js', 'shared/pulled.js'];
const STORE_NAMES = ['kv', 'properties', 'checklists', 'units', 'renovations', 'keys', 'due', 'records', 'blobs',
  'returned', 'follow_ups', 'followup_events'];
const STATES = ['draft', 'outbox', 'rejected'];

test('store names and local states are written only in the repositories', () => {
  const idbCall = new RegExp(`\\.(get|getAll|getAllFromIndex|getKey|put|add|delete|clear|count|transaction`
    + `|objectStore)\\(\\s*\\[?\\s*['"\`](${STORE_NAMES.join('|')})['"\`]`, 'g');
  // A quoted state, except as a translation key or an HTML attribute: t('outbox') is the
  // outbox's title and data-testid="outbox" its element, neither a record's state.
  const state = new RegExp(`(?<!\\bt\\(|=)['"\`](${STATES.join('|')})['"\`]`, 'g');
  for (const file of FILES.filter((f) => !REPOSITORIES.includes(f))) {
    const source = text(file).replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '');
    assert.deepEqual({
      stores: [...source.matchAll(idbCall)].map((m) => m[0]),
      storeConstants: [...source.matchAll(/\bSTORE\.\w+/g)].map((m) => m[0]),
      indexedDB: [...source.matchAll(/\b(indexedDB|openDB)\b/g)].map((m) => m[0]),
      states: [...source.matchAll(state)].map((m) => m[1]),
    }, { stores: [], storeConstants: [], indexedDB: [], states: [] }, file);
  }
});
