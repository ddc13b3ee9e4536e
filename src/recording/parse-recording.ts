/**
 * Turns an untrusted Chrome Recorder export (JSON text or an already-parsed object) into a
 * validated UserFlow, reporting every problem at once so a user can fix the file in one pass.
 */
import type { ZodIssue } from 'zod';
import { InputError } from './input-error';
import { userFlowSchema } from './schema';
import type { UserFlow } from './types';

export function parseRecording(input: string | unknown): UserFlow {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new InputError('Invalid recording', [`recording is not valid JSON: ${reason}`]);
    }
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
