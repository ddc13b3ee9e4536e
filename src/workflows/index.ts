// The workflow bundle's entry point: every workflow type the worker registers.
export { executionJob } from './execution-job';
export { csvRow } from './csv-row';
export { rowRun } from './legacy/row-run';
export { jobMirror } from './job-mirror';
export { notificationDelivery } from './notification-delivery';
export { artifactCleanup } from './artifact-cleanup';
