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
  /** MAX_CSV_BYTES (UTF-8), checked before parsing. */
  maxBytes?: number;
  /** MAX_CSV_COLUMNS. */
  maxColumns?: number;
  /** MAX_CSV_CELL_LENGTH, in characters. */
  maxCellLength?: number;
}

/** Ragged rows beyond this many are summarised, so one bad export does not produce a 10k-line error. */
const MAX_REPORTED_ROWS = 10;

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

export function parseCsv(text: string, opts: ParseCsvOptions): ParsedCsv {
  if (typeof text !== 'string') throw new InputError(`CSV must be text, got ${text === null ? 'null' : typeof text}`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
    throw new InputError(
      `CSV file is ${bytes} bytes, more than the limit of ${opts.maxBytes} (MAX_CSV_BYTES); split the file or raise MAX_CSV_BYTES`,
    );
  }
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
    // csv-parse quotes the start of the offending field ("value is ..."): that may be a password.
    const reason = (err instanceof Error ? err.message : String(err)).replace(/, value is .*$/s, '');
    throw new InputError(`Invalid CSV: ${reason}`);
  }

  // Spreadsheets export trailing rows of bare commas; they carry no data, so treat them as empty lines.
  records = records.filter((r) => r.record.some((field) => field.trim() !== ''));
  if (records.length === 0) throw new InputError('CSV file is empty');

  const [headerRecord, ...dataRecords] = records;
  const headers = checkHeaders(headerRecord.record.map((h) => h.trim()));
  if (opts.maxColumns !== undefined && headers.length > opts.maxColumns) {
    throw new InputError(`CSV file has ${headers.length} columns, more than the limit of ${opts.maxColumns} (MAX_CSV_COLUMNS)`);
  }

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

  if (opts.maxCellLength !== undefined) checkCellLengths([headerRecord, ...dataRecords], headers, opts.maxCellLength);

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

/** Names where each oversized cell is and how long it is, never what it holds: it may be a password. */
function checkCellLengths(records: ParsedRecord[], headers: string[], max: number): void {
  const long: string[] = [];
  records.forEach((r, i) =>
    r.record.forEach((cell, c) => {
      if (cell.length <= max) return;
      const where = i === 0 ? `header of column ${c + 1}` : `${describeLine(r)} (data row ${i}), column "${headers[c]}"`;
      long.push(`${where}: ${cell.length} characters`);
    }),
  );
  if (long.length === 0) return;
  const shown = long.slice(0, MAX_REPORTED_ROWS);
  if (long.length > shown.length) shown.push(`... and ${long.length - shown.length} more cells`);
  throw new InputError(`CSV cells longer than the limit of ${max} characters (MAX_CSV_CELL_LENGTH)`, shown);
}

/** csv-parse reports the line a record ends on; quoted newlines tell us where it started. */
function describeLine(r: ParsedRecord): string {
  const end = r.info.lines;
  const embedded = r.record.reduce((n, field) => n + (field.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
  return embedded > 0 ? `lines ${end - embedded}-${end}` : `line ${end}`;
}
