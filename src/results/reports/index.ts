/** Report builders, one per format, for the CLI (`report`, `run --report`), the demo and the Runs API. */
import { buildHtmlReport } from './html-report';
import { buildJsonReport } from './json-report';
import { buildJunitReport } from './junit-report';
import type { JobReportInput, ReportFormat } from './report-input';

export { buildHtmlReport } from './html-report';
export { buildJsonReport } from './json-report';
export { buildJunitReport } from './junit-report';
export { rowKeysFromCsv } from './row-keys';
export { REPORT_FILE_NAMES, REPORT_FORMATS, type JobReportInput, type ReportFormat } from './report-input';

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  junit: 'application/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function buildReport(format: ReportFormat, input: JobReportInput): string {
  switch (format) {
    case 'html':
      return buildHtmlReport(input);
    case 'junit':
      return buildJunitReport(input);
    case 'json':
      return buildJsonReport(input);
    default: {
      const never: never = format;
      throw new Error(`unknown report format ${String(never)}`);
    }
  }
}
