// The PWA's words come from the server's message catalog (server/translations/*/messages.po,
// entries `pwa.<key>`), so one file per language holds every word people read, on the phone, in
// errors and on PDFs, and one test (tests/test_catalog.py) checks both languages are complete.
// This Vite plugin turns those entries into the module `virtual:messages` at build time:
// `{"zh-CN": {key: text}, "en": {key: text}}`, bundled (and precached) like any other code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import gettextParser from 'gettext-parser';

const MODULE_ID = 'virtual:messages';
const RESOLVED_ID = `\0${MODULE_ID}`;
const CATALOGS = {
  'zh-CN': '../../server/translations/zh_CN/LC_MESSAGES/messages.po',
  en: '../../server/translations/en/LC_MESSAGES/messages.po',
};
const PREFIX = 'pwa.';

export function readMessages() {
  const messages = {};
  for (const [language, relative] of Object.entries(CATALOGS)) {
    const path = fileURLToPath(new URL(relative, import.meta.url));
    const catalog = gettextParser.po.parse(readFileSync(path));
    const strings = {};
    for (const entry of Object.values(catalog.translations[''] ?? {})) {
      if (entry.msgid.startsWith(PREFIX)) strings[entry.msgid.slice(PREFIX.length)] = entry.msgstr[0];
    }
    messages[language] = strings;
  }
  return messages;
}

export function messageCatalog() {
  return {
    name: 'xuncha-message-catalog',
    resolveId(source) {
      return source === MODULE_ID ? RESOLVED_ID : null;
    },
    load(id) {
      if (id !== RESOLVED_ID) return null;
      for (const relative of Object.values(CATALOGS)) {
        this.addWatchFile(fileURLToPath(new URL(relative, import.meta.url)));
      }
      return `export default ${JSON.stringify(readMessages())};`;
    },
  };
}
