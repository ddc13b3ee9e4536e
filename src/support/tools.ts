import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Paths resolved by scripts/setup.mjs; env vars win so operators can point at their own binaries. */
export interface ToolPaths {
  /** The full Chromium (Debian's): headed sessions, and headless ones when no headless shell is found. */
  chromium?: string;
  /** Chromium's headless shell: headless sessions (scripts/setup.mjs unpacks it from @sparticuz/chromium). */
  chromiumHeadlessShell?: string;
  temporal?: string;
  /** Debian's ffmpeg: encodes row videos. */
  ffmpeg?: string;
  /** Debian's xmllint (libxml2-utils): validates JUnit reports in tests. */
  xmllint?: string;
  /** Temporal's own server, its SQL schema tool and the Web UI server: only after `setup.mjs --server`. */
  temporalServer?: string;
  temporalSql?: string;
  temporalUiServer?: string;
  /** Prometheus' rule checker, for the rehearsal's alert-rule evaluation. */
  promtool?: string;
}

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export function resolveToolPaths(): ToolPaths {
  const file = join(PROJECT_ROOT, '.cache', 'tools.json');
  const cached: ToolPaths = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  return {
    ...cached,
    chromium: process.env.CHROMIUM_PATH || cached.chromium,
    chromiumHeadlessShell: process.env.CHROMIUM_HEADLESS_SHELL_PATH || cached.chromiumHeadlessShell,
    temporal: process.env.TEMPORAL_CLI_PATH || cached.temporal,
    ffmpeg: process.env.FFMPEG_PATH || cached.ffmpeg,
  };
}
