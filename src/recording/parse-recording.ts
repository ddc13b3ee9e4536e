/**
 * Turns an untrusted Chrome Recorder export (JSON text or an already-parsed object) into a
 * validated UserFlow, reporting every problem at once so a user can fix the file in one pass.
 */
import type { ZodIssue } from 'zod';
import { InputError } from './input-error';
import { userFlowSchema } from './schema';
import type { UserFlow } from './types';

export interface ParseRecordingOptions {
  /** MAX_RECORDING_BYTES: the recording as JSON text, UTF-8. Checked before parsing. */
  maxBytes?: number;
  /** MAX_RECORDING_STEPS. Checked before the schema, so a huge recording is not validated step by step. */
  maxSteps?: number;
}

function byteLength(input: unknown): number {
  if (typeof input === 'string') return Buffer.byteLength(input, 'utf8');
  try {
    return Buffer.byteLength(JSON.stringify(input) ?? '', 'utf8');
  } catch (err) {
    throw new InputError('Invalid recording', [`recording cannot be written as JSON: ${(err as Error).message}`]);
  }
}

export function parseRecording(input: string | unknown, opts: ParseRecordingOptions = {}): UserFlow {
  if (opts.maxBytes !== undefined) {
    const bytes = byteLength(input);
    if (bytes > opts.maxBytes) {
      throw new InputError(`Recording is ${bytes} bytes, more than the limit of ${opts.maxBytes} (MAX_RECORDING_BYTES)`);
    }
  }
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new InputError('Invalid recording', [`recording is not valid JSON: ${reason}`]);
    }
  }
  const steps = (data as { steps?: unknown } | null)?.steps;
  if (opts.maxSteps !== undefined && Array.isArray(steps) && steps.length > opts.maxSteps) {
    throw new InputError(`Recording has ${steps.length} steps, more than the limit of ${opts.maxSteps} (MAX_RECORDING_STEPS)`);
  }
  const result = userFlowSchema.safeParse(data);
  if (!result.success) {
    throw new InputError('Invalid recording', result.error.issues.map(formatIssue));
  }
  return result.data;
}

/** `steps[3].selectors[0]` style, so the location can be pasted straight into a search of the file. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || '(recording)';
}

function formatIssue(issue: ZodIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}
