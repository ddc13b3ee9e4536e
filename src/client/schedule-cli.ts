import { parseArgs } from 'node:util';
import { loadEnv } from '../config/env';
import { InputError } from '../recording/input-error';
import { ExecutionClient } from './execution-client';
import { configFromRunOptions, readInput, RUN_OPTIONS, stringOptions } from './run-options';
import { JobSchedules, validateSchedule, OVERLAP_POLICIES, type OverlapName } from './schedules';

export const SCHEDULE_USAGE = `  npm run client -- schedule create <scheduleId> <recording.json> [--csv FILE] [--cron "0 3 * * *" ...]
                       [--every 1h ...] [--timezone Europe/Berlin] [--overlap skip|buffer-one|allow-all|cancel-other]
                       [--owner ID] [--paused] [--note TEXT] [run options: --concurrency, --timing, --priority, ...]
  npm run client -- schedule list
  npm run client -- schedule describe|pause|unpause|delete <scheduleId> [--note TEXT]
  npm run client -- schedule trigger <scheduleId> [--overlap ...]
  npm run client -- schedule backfill <scheduleId> --from <ISO time> --to <ISO time> [--overlap ...]`;

const SUBCOMMANDS = ['create', 'list', 'describe', 'pause', 'unpause', 'trigger', 'backfill', 'delete'] as const;

function overlapOption(value: string | undefined): OverlapName | undefined {
  if (value === undefined) return undefined;
  if (!(value in OVERLAP_POLICIES))
    throw new InputError(`--overlap must be one of ${Object.keys(OVERLAP_POLICIES).join(', ')}, got "${value}"`);
  return value as OverlapName;
}

function dateOption(value: string | undefined, name: string): Date {
  const date = new Date(value ?? '');
  if (value === undefined || Number.isNaN(date.getTime())) throw new InputError(`--${name} needs an ISO time such as 2026-01-01T03:00:00Z`);
  return date;
}

/** `schedule <subcommand>`: prints JSON on stdout, messages on stderr; returns the exit code. */
export async function scheduleCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...RUN_OPTIONS,
      ...stringOptions('timezone', 'overlap', 'owner', 'note', 'from', 'to'),
      cron: { type: 'string', multiple: true },
      every: { type: 'string', multiple: true },
      paused: { type: 'boolean' },
    },
  });
  const [sub, scheduleId, recordingPath] = positionals;
  if (!SUBCOMMANDS.includes(sub as (typeof SUBCOMMANDS)[number]))
    throw new InputError(`schedule needs one of ${SUBCOMMANDS.join(', ')}, got "${sub ?? ''}"\n${SCHEDULE_USAGE}`);
  if (sub !== 'list' && !scheduleId) throw new InputError(`schedule ${sub} needs a scheduleId\n${SCHEDULE_USAGE}`);
  if (sub === 'create' && !recordingPath) throw new InputError(`schedule create needs a recording file\n${SCHEDULE_USAGE}`);
  const overlap = overlapOption(values.overlap);
  const range = sub === 'backfill' ? { start: dateOption(values.from, 'from'), end: dateOption(values.to, 'to'), overlap } : undefined;
  // Local input is read before connecting: a bad file fails fast even with no server.
  const create =
    sub === 'create'
      ? {
          scheduleId,
          recording: readInput(recordingPath, 'recording'),
          csv: values.csv ? readInput(values.csv, 'CSV') : undefined,
          config: configFromRunOptions(values),
          ownerId: values.owner,
          cron: values.cron,
          every: values.every,
          timezone: values.timezone,
          overlap,
          paused: values.paused,
          note: values.note,
        }
      : undefined;

  const env = loadEnv();
  // Bad input fails before anything connects, with or without a server.
  if (create) validateSchedule(create, env);
  const client = await ExecutionClient.connect(env);
  const schedules = new JobSchedules(client.client, env);
  try {
    switch (sub) {
      case 'create':
        console.log(JSON.stringify(await schedules.create(create!)));
        console.error(`Created schedule ${scheduleId}`);
        break;
      case 'list':
        console.log(JSON.stringify(await schedules.list(), null, 2));
        break;
      case 'describe':
        console.log(JSON.stringify(await schedules.describe(scheduleId), null, 2));
        break;
      case 'pause':
        await schedules.pause(scheduleId, values.note);
        console.error(`Paused ${scheduleId}`);
        break;
      case 'unpause':
        await schedules.unpause(scheduleId, values.note);
        console.error(`Unpaused ${scheduleId}`);
        break;
      case 'trigger':
        await schedules.trigger(scheduleId, overlap);
        console.error(`Triggered ${scheduleId}`);
        break;
      case 'backfill':
        await schedules.backfill(scheduleId, range!);
        console.error(`Backfilled ${scheduleId} ${range!.start.toISOString()} .. ${range!.end.toISOString()}`);
        break;
      default:
        await schedules.delete(scheduleId);
        console.error(`Deleted ${scheduleId}`);
    }
    return 0;
  } finally {
    await client.close();
  }
}
