// Every UI string, in both languages, from the server's message catalog (`pwa.*` entries of
// server/translations/*/messages.po, bundled by build/messages.js). zh-CN is the default for a
// Chinese browser.
import STRINGS from 'virtual:messages';

let lang = 'zh-CN';

export function detectLanguage(saved) {
  if (saved === 'zh-CN' || saved === 'en') return saved;
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'zh-CN'];
  return /^zh/i.test(langs[0]) ? 'zh-CN' : 'en';
}

export function setLanguage(value) {
  lang = value === 'en' ? 'en' : 'zh-CN';
  document.documentElement.lang = lang;
}

export const getLanguage = () => lang;

/** t('photos_min', {n: 3}) → the string in the current language with {n} filled in. */
export function t(key, params) {
  const text = STRINGS[lang][key] ?? STRINGS['zh-CN'][key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? '')) : text;
}

/** A bilingual label from a checklist definition or the server: {"zh-CN": …, "en": …}. */
export function tx(text) {
  if (text == null) return '';
  if (typeof text === 'string') return text;
  return text[lang] || text['zh-CN'] || text.en || '';
}

export function formatBytes(n) {
  if (n == null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A moment as people read it; in `zone` (a property's) when given, else the phone's. */
export function formatTime(iso, zone) {
  if (!iso) return '';
  const date = new Date(iso);
  return date.toLocaleString(lang, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit',
    ...(zone ? { timeZone: zone } : {}) });
}

/** A zone's name for a label ("中国标准时间", "China Standard Time"). */
export function zoneName(zone) {
  const parts = new Intl.DateTimeFormat(lang, { timeZone: zone, timeZoneName: 'long' }).formatToParts(new Date());
  const part = parts.find((p) => p.type === 'timeZoneName');
  return part ? part.value : zone;
}

/** A property's (or membership's) name in the chosen language. */
export const localName = (p) => (p ? (lang === 'en' && p.name_en ? p.name_en : p.name) : '');

/** A month (YYYY-MM) in the reader's language: "2026年11月" / "November 2026" (style 'short': "Nov 2026"). */
export const formatMonth = (month, style = 'long') => new Intl.DateTimeFormat(getLanguage(),
  { year: 'numeric', month: style, timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
