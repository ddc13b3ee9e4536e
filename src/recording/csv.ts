/**
 * CSV data file → header names + one RowValues per data row.
 * Every rejection names the line and numbers involved: these files come from spreadsheets, and
 * "invalid CSV" alone leaves the user hunting.
 */
import { parse } from 'csv-parse/sync';
import { InputError } from './input-error';
import type { RowValues } from './types';

export interface ParsedCsv {
  headers: string[];
  rows: RowValues[];
}

export interface ParseCsvOptions {
  /** The job's row limit (MAX_ROWS_PER_JOB), checked here so an oversized file fails before any work. */
  maxRows: number;
}

/** Ragged rows beyond this many are summarised, so one bad export does not produce a 10k-line error. */
const MAX_REPORTED_ROWS = 10;

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

export function parseCsv(text: string, opts: ParseCsvOptions): ParsedCsv {
  // A BOM alone (Excel's "CSV UTF-8" of an empty sheet) is still an empty file.
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new InputError('CSV file is empty');

  let records: ParsedRecord[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      // Column counts are checked below, to report all ragged rows with expected vs actual.
      relax_column_count: true,
      skip_empty_lines: true,
      // Files edited on several systems can mix line endings; accept any of them.
      record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as ParsedRecord[]; // `info: true` changes the shape; the typings do not follow
  } catch (err) {
    throw new InputError(`Invalid CSV: ${err instanceof Error ? err.message : String(err)}`);
  }

  // Spreadsheets export trailing rows of bare commas; they carry no data, so treat them as empty lines.
  records = records.filter((r) => r.record.some((field) => field.trim() !== ''));
  if (records.length === 0) throw new InputError('CSV file is empty');

  const [headerRecord, ...dataRecords] = records;
  const headers = checkHeaders(headerRecord.record.map((h) => h.trim()));

  if (dataRecords.length === 0) {
    throw new InputError(`CSV file has a header row (${headers.join(', ')}) but no data rows`);
  }
  if (dataRecords.length > opts.maxRows) {
    throw new InputError(
      `CSV file has ${dataRecords.length} data rows, more than the limit of ${opts.maxRows} per job ` +
        `(MAX_ROWS_PER_JOB); split the file or raise MAX_ROWS_PER_JOB`,
    );
  }

  const ragged: string[] = [];
  dataRecords.forEach((r, i) => {
    if (r.record.length === headers.length) return;
    ragged.push(`${describeLine(r)} (data row ${i + 1}): expected ${headers.length} columns, found ${r.record.length}`);
  });
  if (ragged.length > 0) {
    const shown = ragged.slice(0, MAX_REPORTED_ROWS);
    if (ragged.length > shown.length) shown.push(`... and ${ragged.length - shown.length} more rows`);
    throw new InputError(`CSV rows must have the same number of columns as the header (${headers.length})`, shown);
  }

  // fromEntries defines own properties, so a header called `__proto__` stays an ordinary column.
  const rows = dataRecords.map((r) => Object.fromEntries(headers.map((h, c) => [h, r.record[c]])));
  return { headers, rows };
}

function checkHeaders(headers: string[]): string[] {
  const problems: string[] = [];
  headers.forEach((h, i) => {
    if (h === '') problems.push(`header of column ${i + 1} is blank`);
  });
  const firstSeen = new Map<string, number>();
  const reported = new Set<string>();
  headers.forEach((h, i) => {
    if (h === '' || reported.has(h)) return;
    const first = firstSeen.get(h);
    if (first === undefined) {
      firstSeen.set(h, i);
      return;
    }
    const columns = headers.flatMap((other, j) => (other === h ? [j + 1] : []));
    problems.push(`duplicate header name "${h}" (columns ${columns.join(', ')})`);
    reported.add(h);
  });
  if (problems.length > 0) throw new InputError('Invalid CSV header row', problems);
  return headers;
}

/** csv-parse reports the line a record ends on; quoted newlines tell us where it started. */
function describeLine(r: ParsedRecord): string {
  const end = r.info.lines;
  const embedded = r.record.reduce((n, field) => n + (field.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
  return embedded > 0 ? `lines ${end - embedded}-${end}` : `line ${end}`;
}
