/**
 * Removes a row's secret values from a Playwright trace zip. The trace is recorded without screencast frames
 * (row-capture.ts), so what remains is text: the action log (a `fill` carries its value), DOM snapshots (a
 * typed field's value) and network bodies. Every occurrence, raw or in the encodings those files use (JSON,
 * HTML, URL), is replaced by `***`, byte for byte, in every file of the zip.
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';

export const REDACTED = '***';

const htmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Each form a value can take in the trace's files, as latin1 strings of its UTF-8 bytes (so binary stays intact). */
function forms(secret: string): string[] {
  const variants = new Set([secret, JSON.stringify(secret).slice(1, -1), htmlEscape(secret), encodeURIComponent(secret)]);
  return [...variants].filter((v) => v !== '').map((v) => Buffer.from(v, 'utf8').toString('latin1'));
}

export function redactTraceZip(zip: Uint8Array, secretValues: readonly string[]): Uint8Array {
  const secrets = [...new Set(secretValues.filter((s) => s.trim() !== ''))];
  if (secrets.length === 0) return zip;
  const files = unzipSync(zip);
  // Longest first, so a secret containing another is replaced whole.
  const patterns = secrets.flatMap(forms).sort((a, b) => b.length - a.length);
  const out: Zippable = {};
  for (const [name, bytes] of Object.entries(files)) {
    let text = Buffer.from(bytes).toString('latin1');
    for (const p of patterns) if (text.includes(p)) text = text.split(p).join(REDACTED);
    out[name] = Buffer.from(text, 'latin1');
  }
  return zipSync(out, { level: 6 });
}
