/**
 * The client: a library for the portal (import { ExecutionClient } from './client') and the CLI
 * (`npm run client -- run recording.json --csv rows.csv --wait`).
 */
export { ExecutionClient } from './client/execution-client';
export type { StartedExecution } from './client/execution-client';
export type { ExecutionInput, JobProgress, JobSummary, RowResult, StepResult } from './workflows/types';
export type { JobConfigInput } from './config/job-config';
export { InputError } from './recording/input-error';
import { runCli } from './client/cli';

if (require.main === module) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
