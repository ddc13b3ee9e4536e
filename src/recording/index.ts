/**
 * Public API of the recording module: parse and validate inputs, then resolve them per row.
 * Workflow code should import ./templating, ./timing and ./secrets directly: this barrel also pulls
 * in zod and csv-parse, which the workflow bundle does not need.
 */
export * from './types';
export { InputError } from './input-error';
export { userFlowSchema, stepSchema, STEP_TYPES, MAX_STEP_TIMEOUT_MS } from './schema';
export type { ParsedUserFlow } from './schema';
export { parseRecording, formatPath } from './parse-recording';
export { templateVariables, missingColumns, applyTemplate } from './templating';
export type { TemplateVariable } from './templating';
export { parseCsv } from './csv';
export type { ParsedCsv, ParseCsvOptions } from './csv';
export { thinkTimeMs, DEFAULT_THINK_TIME_MS, FAST_DELAY_MS } from './timing';
export type { TimingMode } from './timing';
export { DEFAULT_SECRET_COLUMNS, MASK, secretColumnMatcher, maskSecrets, maskRow } from './secrets';
export type { SecretColumnMatcher } from './secrets';
