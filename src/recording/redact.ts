import type { RowValues, Step } from './types';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Rewrites each row value found in `text` back to its `{{column}}` placeholder, so messages stay readable
 * ("expected "Welcome, {{first_name}}!"") while CSV values never reach results. Whole-token matches only:
 * a short value like "us" must not mangle "status". Longer values first, so one containing another wins.
 */
export function redactRowValues(text: string, row: RowValues): string {
  const entries = Object.entries(row)
    .filter(([, v]) => v.trim().length > 0)
    .sort(([, a], [, b]) => b.length - a.length);
  let out = text;
  for (const [column, value] of entries) {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(value)}(?![\\p{L}\\p{N}_])`, 'gu');
    out = out.replace(pattern, () => `{{${column}}}`);
  }
  return out;
}

const selectorText = (s: string | string[]) => (Array.isArray(s) ? s.join(' >> ') : s);

/** The matched selector as the recording wrote it (placeholders intact), given the templated one that matched. */
export function selectorAsRecorded(recorded: Step, templated: Step, used: string | undefined): string | undefined {
  if (used === undefined || !('selectors' in recorded) || !('selectors' in templated) || !recorded.selectors || !templated.selectors) {
    return used;
  }
  const index = templated.selectors.findIndex((s) => selectorText(s) === used);
  return index >= 0 ? selectorText(recorded.selectors[index]) : used;
}
