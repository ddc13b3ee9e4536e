/**
 * Every patch id the workflows branch on, with what it changed. A history recorded before a patch replays the
 * old branch (no marker in it); new executions take the new one. Each generation in test/fixtures/histories
 * pins one state of this list.
 */

/** Rows send the mirror no signal: the worker reports a row running, the job reports how it ended. (03) */
export const MIRROR_ROW_EVENTS_PATCH = 'mirror-row-events-from-worker-and-job';

/**
 * A row runs each attempt as one activity holding a session lease (all its steps on one worker) instead of a
 * holder activity plus one activity per step. Rows recorded before it replay legacy/row-run-holder-and-steps.ts.
 */
export const SESSION_LEASE_PATCH = 'row-steps-on-a-session-lease';

/**
 * The job starts its rows as `csvRow`, the session-lease row without a patch of its own: one marker per job run
 * instead of one marker (and its TemporalChangeVersion upsert) per row. Jobs recorded before it start `rowRun`
 * (legacy/row-run.ts). (10)
 */
export const CSV_ROW_WORKFLOW_PATCH = 'rows-as-csv-row-workflows';

/**
 * The job keeps its search attributes current (RunStatus, RowsTotal, RowsFailed, RecordingTitle, Deleted on a
 * markDeleted signal) and its Web UI details (live counters). (05)
 */
export const RUN_SEARCH_ATTRIBUTES_PATCH = 'run-search-attributes';

/**
 * The job's priority and fairness key (config.priority, config.fairnessKey ?? origin.ownerId) go as Temporal
 * task-queue priority on its row workflows and result writes; each row puts it on its session activities
 * (RowRunInput.priority, absent in rows started before the patch). (06)
 */
export const TASK_QUEUE_PRIORITY_PATCH = 'job-priority-and-fairness-on-task-queues';

/** A job with a notify target starts one notificationDelivery child per event it asked for. */
export const NOTIFICATIONS_PATCH = 'job-notifications-as-abandoned-children';

/**
 * prepareJob runs as a local activity in the worker that runs the job's first workflow task: the job starts its
 * first rows in that same task instead of two matching round trips later. (08)
 */
export const PREPARE_JOB_LOCALLY_PATCH = 'prepare-job-as-local-activity';
