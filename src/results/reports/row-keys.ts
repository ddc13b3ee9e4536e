import { parseCsv } from '../../recording/csv';
import type { SecretColumnMatcher } from '../../recording/secrets';

/** Columns that name a row well, in order of preference; a secret column never qualifies. */
const KEY_COLUMNS = ['id', 'name', 'username', 'user', 'email', 'login', 'sku', 'case'];

/**
 * "column=value" per row from the job's CSV: the column `keyColumn` (when given) or the first of KEY_COLUMNS
 * the CSV has, unless it is secret. Empty when the CSV has no such column.
 */
export function rowKeysFromCsv(csv: string, isSecret: SecretColumnMatcher, keyColumn?: string): Map<number, string> {
  const { headers, rows } = parseCsv(csv, { maxRows: Number.MAX_SAFE_INTEGER });
  const column = keyColumn ?? headers.find((h) => KEY_COLUMNS.includes(h.trim().toLowerCase()));
  const keys = new Map<number, string>();
  if (!column || !headers.includes(column) || isSecret(column)) return keys;
  rows.forEach((values, i) => {
    const value = values[column];
    if (value) keys.set(i + 1, `${column}=${value.length > 60 ? value.slice(0, 57) + '...' : value}`);
  });
  return keys;
}
