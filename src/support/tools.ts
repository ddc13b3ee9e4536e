import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Paths resolved by scripts/setup.mjs; env vars win so operators can point at their own binaries. */
export interface ToolPaths {
  chromium?: string;
  temporal?: string;
}

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export function resolveToolPaths(): ToolPaths {
  const file = join(PROJECT_ROOT, '.cache', 'tools.json');
  const cached: ToolPaths = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  return {
    chromium: process.env.CHROMIUM_PATH || cached.chromium,
    temporal: process.env.TEMPORAL_CLI_PATH || cached.temporal,
  };
}
