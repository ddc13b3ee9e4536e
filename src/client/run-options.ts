import { readFileSync } from 'node:fs';
import type { parseArgs } from 'node:util';
import type { JobConfigInput } from '../config/job-config';
import { InputError } from '../recording/input-error';

/** parseArgs definitions for options that each take one string value. */
export const stringOptions = <K extends string>(...names: K[]) =>
  Object.fromEntries(names.map((name) => [name, { type: 'string' }])) as { [P in K]: { type: 'string' } };

/** The job options `run` and `schedule create` share (parseArgs definitions). */
export const RUN_OPTIONS = {
  ...stringOptions('csv', 'concurrency', 'browser', 'timing', 'speed', 'screenshots', 'trace', 'video', 'priority'),
  ...stringOptions('fairness-key', 'fairness-weight', 'notify', 'notify-format', 'notify-events'),
  headed: { type: 'boolean' },
  default: { type: 'string', multiple: true },
} as const;

export type RunOptionValues = ReturnType<typeof parseArgs<{ options: typeof RUN_OPTIONS }>>['values'];

export function readInput(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`Cannot read ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function numberOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InputError(`--${name} must be a number, got "${value}"`);
  return n;
}

function parseDefaults(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs?.length) return undefined;
  return Object.fromEntries(
    pairs.map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new InputError(`--default must be name=value, got "${p}"`);
      return [p.slice(0, eq), p.slice(eq + 1)];
    }),
  );
}

/** The job config the flags ask for; ranges are checked with the rest of the job (parseJobConfig). */
export function configFromRunOptions(values: RunOptionValues): JobConfigInput {
  const config: JobConfigInput = {};
  const concurrency = numberOption(values.concurrency, 'concurrency');
  if (concurrency !== undefined) config.maxConcurrentRows = concurrency;
  const speed = numberOption(values.speed, 'speed');
  if (speed !== undefined) config.speedMultiplier = speed;
  const priority = numberOption(values.priority, 'priority');
  if (priority !== undefined) config.priority = priority;
  if (values['fairness-key'] !== undefined) config.fairnessKey = values['fairness-key'];
  const weight = numberOption(values['fairness-weight'], 'fairness-weight');
  if (weight !== undefined) config.fairnessWeight = weight;
  if (values.browser) config.browser = values.browser as JobConfigInput['browser'];
  if (values.timing) config.timingMode = values.timing as JobConfigInput['timingMode'];
  if (values.screenshots) config.screenshots = values.screenshots as JobConfigInput['screenshots'];
  if (values.trace) config.trace = values.trace as JobConfigInput['trace'];
  if (values.video) config.video = values.video as JobConfigInput['video'];
  if (values.headed) config.headless = false;
  const defaults = parseDefaults(values.default);
  if (defaults) config.defaults = defaults;
  if (values.notify !== undefined) {
    type Notify = NonNullable<JobConfigInput['notify']>;
    config.notify = {
      url: values.notify,
      ...(values['notify-format'] ? { format: values['notify-format'] as Notify['format'] } : {}),
      ...(values['notify-events'] ? { events: values['notify-events'].split(',').map((e) => e.trim()) as Notify['events'] } : {}),
    };
  } else if (values['notify-format'] || values['notify-events']) {
    throw new InputError('--notify-format and --notify-events need --notify URL');
  }
  return config;
}
