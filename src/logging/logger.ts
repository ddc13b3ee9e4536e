import pino, { DestinationStream, Logger } from 'pino';

export type { Logger };

/** Paths redacted wherever they appear in a log object: service keys and CSV row values never reach logs.
 * (`row` is a row number and stays visible.) */
export const REDACT_PATHS = ['serviceRoleKey', '*.serviceRoleKey', 'apiKey', '*.apiKey', 'values', '*.values', 'csv', '*.csv'];

/** JSON logs for machines; pretty lines when a person watches a terminal. */
export function createLogger(opts: { level?: string; name?: string; pretty?: boolean; destination?: DestinationStream } = {}): Logger {
  const pretty = !opts.destination && (opts.pretty ?? (process.stdout.isTTY === true && process.env.LOG_FORMAT !== 'json'));
  const options = {
    name: opts.name ?? 'recorder-runner',
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '***' },
    transport: pretty ? { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
  };
  // A destination (another process's pipe, a file): JSON lines there instead of stdout.
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
