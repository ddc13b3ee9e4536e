import { readFileSync } from 'node:fs';

/**
 * Reads a dotenv-style file as docker compose's env_file does for plain files: KEY=VALUE lines, `#` comment
 * lines and blank lines ignored, optional single or double quotes around the value, `export ` prefix allowed.
 * No variable interpolation: the files this project shares (deploy/worker.env) hold literal values.
 */
export function parseEnvFile(text: string, source = 'env file'): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new Error(`${source}:${i + 1}: expected KEY=VALUE, got "${line}"`);
    const value = m[2];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    out[m[1]] = quoted ? quoted[2] : value.replace(/\s+#.*$/, '');
  });
  return out;
}

export function readEnvFile(path: string): Record<string, string> {
  return parseEnvFile(readFileSync(path, 'utf8'), path);
}
