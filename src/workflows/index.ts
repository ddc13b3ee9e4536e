// The workflow bundle's entry point: every workflow type the worker registers.
export { executionJob } from './execution-job';
export { rowRun } from './row-run';
export { jobMirror } from './job-mirror';
export { notificationDelivery } from './notification-delivery';
export { artifactCleanup } from './artifact-cleanup';
