#!/usr/bin/env node
// Finds or installs what the project needs outside npm: Chromium and the Temporal CLI (which carries the
// dev server and Web UI). Idempotent: a second run only re-checks paths and finishes in well under a second.
// Writes the resolved paths to .cache/tools.json, which src/support/tools.ts reads.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const TEMPORAL_CLI_VERSION = 'v1.5.1';
// `go install` of the v1.5.1 tag reports a dev version string; the embedded server version identifies it.
const TEMPORAL_VERSION_MARKERS = ['1.5.1', 'Server 1.29.1'];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (msg) => quiet || console.log(`[setup] ${msg}`);

function fail(msg) {
  console.error(`[setup] ERROR: ${msg}`);
  process.exit(1);
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function run(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status === 0;
}

function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) fail(`CHROMIUM_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  if (!isRoot()) {
    fail('Chromium not found. Install it (Debian: `sudo apt-get install -y chromium`) or set CHROMIUM_PATH.');
  }
  log('Chromium not found: installing Debian package chromium');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['update'], { env }) || !run('apt-get', ['install', '-y', 'chromium'], { env })) {
    fail('apt-get install -y chromium failed; install Chromium by hand or set CHROMIUM_PATH.');
  }
  if (!existsSync('/usr/bin/chromium')) fail('apt-get installed chromium but /usr/bin/chromium is missing.');
  return '/usr/bin/chromium';
}

function temporalVersion(path) {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function isPinnedTemporal(path) {
  const v = path && existsSync(path) ? temporalVersion(path) : undefined;
  return Boolean(v && TEMPORAL_VERSION_MARKERS.some((m) => v.includes(m)));
}

function goBinDir() {
  const go = which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) return { go: undefined, bin: join(homedir(), 'go', 'bin') };
  const env = (name) => execFileSync(go, ['env', name], { encoding: 'utf8' }).trim();
  const gobin = env('GOBIN');
  return { go, bin: gobin || join(env('GOPATH').split(':')[0], 'bin') };
}

function findTemporal() {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) fail(`TEMPORAL_CLI_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const onPath = which('temporal');
  if (onPath && isPinnedTemporal(onPath)) return onPath;
  const { go, bin } = goBinDir();
  const inGoBin = join(bin, 'temporal');
  if (isPinnedTemporal(inGoBin)) return inGoBin;
  if (!go) {
    fail(
      `Temporal CLI ${TEMPORAL_CLI_VERSION} not found and Go is not installed. Install Go and rerun, ` +
        `or set TEMPORAL_CLI_PATH to a temporal binary (or TEMPORAL_ADDRESS to use an existing server).`,
    );
  }
  log(`Temporal CLI not found: building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} (takes a few minutes once)`);
  if (!run(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`])) {
    fail(`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed; see the output above.`);
  }
  if (!isPinnedTemporal(inGoBin)) fail(`go install finished but ${inGoBin} is not the expected version.`);
  return inGoBin;
}

const started = Date.now();
const chromium = findChromium();
// A remote Temporal (TEMPORAL_ADDRESS) needs no local CLI; still resolve it when present for tests and demo.
const temporal = process.env.TEMPORAL_ADDRESS && process.env.SETUP_SKIP_TEMPORAL_CLI === '1' ? undefined : findTemporal();
mkdirSync(join(root, '.cache'), { recursive: true });
writeFileSync(join(root, '.cache', 'tools.json'), JSON.stringify({ chromium, temporal }, null, 2) + '\n');
log(`chromium: ${chromium}`);
log(`temporal: ${temporal ?? '(not needed: TEMPORAL_ADDRESS set)'}`);
log(`ready in ${Date.now() - started} ms`);
