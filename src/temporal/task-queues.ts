// Task queue names, derived from the one configured base queue (TEMPORAL_TASK_QUEUE). Pure: used in workflows.

/** Workflows and job preparation. */
export const orchestrationQueue = (base: string): string => base;
/** Session holders: one task slot per open browser session, shared by every worker. */
export const sessionsQueue = (base: string): string => `${base}-sessions`;
/** Steps of the sessions one worker holds; only that worker polls it. */
export const workerQueue = (base: string, workerId: string): string => `${base}-worker-${workerId}`;
