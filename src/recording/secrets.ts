/**
 * Keeps secret CSV values (passwords, tokens) out of logs, results and error messages.
 * Pure, so it can run in workflow code as well as in activities.
 */
import { InputError } from './input-error';
import type { RowValues } from './types';

/** Column names containing any of these words (case-insensitive) are treated as secret. */
export const DEFAULT_SECRET_COLUMNS = 'password|secret|token|key';

export const MASK = '***';

export type SecretColumnMatcher = (column: string) => boolean;

/** Substring match, so `user_password` and `API_TOKEN` are caught by the default pattern. */
export function secretColumnMatcher(pattern: string): SecretColumnMatcher {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'i');
  } catch (err) {
    throw new InputError(
      `secret column pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${
        err instanceof Error ? err.message : String(err)
      }`,
    );
  }
  // No 'g' flag: a global regex's lastIndex would make test() alternate between results.
  return (column) => regex.test(column);
}

/** Replaces every occurrence of every secret value of `row` in `text` (an error message, a log line...). */
export function maskSecrets(text: string, row: RowValues, isSecret: SecretColumnMatcher): string {
  const values = Object.entries(row)
    .filter(([column, value]) => value !== '' && isSecret(column))
    .map(([, value]) => value)
    // Longest first: when one secret contains another, masking the short one first would leave
    // the rest of the long one readable.
    .sort((a, b) => b.length - a.length);
  // split/join rather than a regex, so values full of regex metacharacters need no escaping.
  return values.reduce((out, value) => out.split(value).join(MASK), text);
}

/** The row's non-empty values in secret columns. */
export function secretValues(row: RowValues, isSecret: SecretColumnMatcher): string[] {
  return Object.entries(row).flatMap(([column, value]) => (value !== '' && isSecret(column) ? [value] : []));
}

/** Copy of the row safe to store or display. Empty secrets stay empty: there is nothing to hide. */
export function maskRow(row: RowValues, isSecret: SecretColumnMatcher): RowValues {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [column, value !== '' && isSecret(column) ? MASK : value]));
}
