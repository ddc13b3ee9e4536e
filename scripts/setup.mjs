#!/usr/bin/env node
// Finds or installs what the project needs outside npm: Chromium and the Temporal CLI (which carries the
// dev server and Web UI). Idempotent: a second run only re-checks paths and finishes in well under a second.
// With --server (npm run rehearsal) it also finds or builds Temporal's own server, its SQL schema tool and the
// standalone Web UI server at the versions docker-compose.yml pins (from the Go module proxy; the server reuses
// the CLI's compiled packages, so about a minute in all), and promtool (Debian's, else built).
// Writes the resolved paths to .cache/tools.json, which src/support/tools.ts reads.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const TEMPORAL_CLI_VERSION = 'v1.5.1';
// The server version the CLI's dev server embeds (its go.mod's go.temporal.io/server requirement).
const TEMPORAL_CLI_SERVER_VERSION = '1.29.1';
// `go install` of the v1.5.1 tag reports a dev version string; the embedded server version identifies it.
const TEMPORAL_VERSION_MARKERS = ['1.5.1', `Server ${TEMPORAL_CLI_SERVER_VERSION}`];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const withServer = process.argv.includes('--server');
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

// Debian tools the project uses besides the browser: ffmpeg encodes row videos (CDP screencast frames, since
// Playwright's own ffmpeg download is not reachable), xmllint checks JUnit reports against their schema in tests.
// Missing ones are installed with apt as root; otherwise setup says how and goes on (videos then fail clearly).
function findDebianTool(cmd, pkg, envName) {
  const fromEnv = envName && process.env[envName];
  if (fromEnv) {
    if (!existsSync(fromEnv)) fail(`${envName}=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const found = which(cmd);
  if (found) return found;
  if (!isRoot()) {
    log(`${cmd} not found: install it (Debian: \`sudo apt-get install -y ${pkg}\`)${envName ? ` or set ${envName}` : ''}`);
    return undefined;
  }
  log(`${cmd} not found: installing Debian package ${pkg}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const installed = run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env }) ||
    (run('apt-get', ['update'], { env }) && run('apt-get', ['install', '-y', '--no-install-recommends', pkg], { env }));
  if (!installed) log(`apt-get install -y ${pkg} failed: install it by hand`);
  return which(cmd);
}

// Headless sessions run Chromium's headless shell (what Playwright itself uses for headless Chromium): no browser
// UI, about a third of the full browser's CPU per session (BENCHMARKS.md, "Browser builds"). Its Linux build
// comes from the npm registry (@sparticuz/chromium, compressed), unpacked once into .cache.
async function findHeadlessShell() {
  const fromEnv = process.env.CHROMIUM_HEADLESS_SHELL_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) fail(`CHROMIUM_HEADLESS_SHELL_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const pkgDir = join(root, 'node_modules', '@sparticuz', 'chromium');
  if (!existsSync(join(pkgDir, 'package.json'))) {
    log('@sparticuz/chromium is not installed (npm install): headless sessions use the full Chromium');
    return undefined;
  }
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const dir = join(root, '.cache', `chromium-headless-shell-${version}`);
  const binary = join(dir, 'chromium');
  if (existsSync(binary)) return binary;
  const started = Date.now();
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await pipeline(createReadStream(join(pkgDir, 'bin', 'chromium.br')), createBrotliDecompress(), createWriteStream(join(partial, 'chromium')));
  chmodSync(join(partial, 'chromium'), 0o755);
  // Its software GL (SwiftShader) libraries sit next to the binary, where it looks for them.
  const tar = spawnSync('sh', ['-c', `node -e "process.stdin.pipe(require('zlib').createBrotliDecompress()).pipe(process.stdout)" < "${join(pkgDir, 'bin', 'swiftshader.tar.br')}" | tar -x -C "${partial}"`], { stdio: 'inherit' });
  if (tar.status !== 0) fail('could not unpack the headless shell\'s SwiftShader libraries');
  const check = spawnSync(join(partial, 'chromium'), ['--version'], { encoding: 'utf8' });
  if (check.status !== 0) {
    log(`the headless shell does not run here (${(check.stderr || '').trim().split('\n')[0]}): headless sessions use the full Chromium`);
    rmSync(partial, { recursive: true, force: true });
    return undefined;
  }
  renameSync(partial, dir);
  log(`unpacked ${check.stdout.trim()} headless shell into ${dir} in ${Date.now() - started} ms`);
  return binary;
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

// Several checkouts on one machine (worktrees, CI beside a developer) may run setup at once: one `go install`
// of a tool at a time, the others wait for it and then find it built. The lock is a directory holding the
// builder's pid; a lock whose process is gone is taken over.
function withBuildLock(bin, name, isBuilt, build) {
  mkdirSync(bin, { recursive: true });
  const lock = join(bin, `.${name}.building`);
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        holder = undefined;
      }
      if (holder && !isAlive(holder)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`another setup (pid ${holder ?? '?'}) is building ${name}: waiting for it`);
      announced = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    }
  }
  try {
    if (!isBuilt()) build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
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
  withBuildLock(bin, 'temporal', () => isPinnedTemporal(inGoBin), () => {
    log(`Temporal CLI not found: building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} (takes a few minutes once)`);
    if (!run(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`])) {
      fail(`go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed; see the output above.`);
    }
  });
  if (!isPinnedTemporal(inGoBin)) fail(`go install finished but ${inGoBin} is not the expected version.`);
  return inGoBin;
}

// The server, SQL tool and Web UI server run the images' versions (one pin, in docker-compose.yml). Each build
// goes to its own versioned directory under the Go bin dir: the commands are named plainly `server` and `sql`.
function composePin(image, variable) {
  const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
  const m = new RegExp(`image: ${image}:\\$\\{${variable}:-([0-9][0-9A-Za-z.-]*)\\}`).exec(compose);
  if (!m) fail(`docker-compose.yml pins no ${image}:\${${variable}:-<version>} image`);
  return m[1];
}

// Prometheus' rule checker for the rehearsal's alert tests (deploy/prometheus). Any recent promtool evaluates the
// rules the same way: Debian's, unpacked from its package without installing Prometheus (seconds), else a Go build.
const PROMTOOL_MODULE_VERSION = '0.316.0';

function serverBuilds() {
  const server = composePin('temporalio/server', 'TEMPORAL_VERSION');
  const ui = composePin('temporalio/ui', 'TEMPORAL_UI_VERSION');
  const { go, bin } = goBinDir();
  const serverDir = join(bin, `temporal-server-v${server}`);
  const uiDir = join(bin, `temporal-ui-server-v${ui}`);
  // Built inside the CLI's module graph when the CLI embeds the same server: every package the CLI compiled is
  // then in Go's build cache, and the server links in seconds instead of compiling for minutes.
  const inCliGraph = server === TEMPORAL_CLI_SERVER_VERSION ? { 'github.com/temporalio/cli': TEMPORAL_CLI_VERSION } : undefined;
  return {
    go,
    bin,
    items: [
      { key: 'temporalServer', dir: serverDir, path: join(serverDir, 'server'), pkg: `go.temporal.io/server/cmd/server@v${server}`, version: server, alongside: inCliGraph },
      { key: 'temporalSql', dir: serverDir, path: join(serverDir, 'sql'), pkg: `go.temporal.io/server/cmd/tools/sql@v${server}`, version: server, alongside: inCliGraph },
      { key: 'temporalUiServer', dir: uiDir, path: join(uiDir, 'server'), pkg: `github.com/temporalio/ui-server/v2/cmd/server@v${ui}`, version: ui },
      {
        key: 'promtool',
        dir: join(bin, `promtool-v${PROMTOOL_MODULE_VERSION}`),
        path: join(bin, `promtool-v${PROMTOOL_MODULE_VERSION}`, 'promtool'),
        pkg: `github.com/prometheus/prometheus/cmd/promtool@v${PROMTOOL_MODULE_VERSION}`,
        // Rule checks and tests need no service discovery: without it, 1,117 packages to build instead of 1,364.
        flags: ['-tags', 'remove_all_sd'],
        prebuilt: debianPromtool,
      },
    ],
  };
}

/**
 * promtool on PATH, or Debian's from its prometheus package unpacked (not installed) under `bin`: an earlier
 * unpack, or with `fetch` a new one.
 */
function debianPromtool(bin, fetch) {
  const onPath = which('promtool');
  if (onPath) return onPath;
  const dir = join(bin, 'promtool-debian');
  const path = join(dir, 'usr', 'bin', 'promtool');
  if (existsSync(path)) return path;
  if (!fetch || !which('apt-get') || !which('dpkg-deb')) return undefined;
  const download = mkdtempSync(join(tmpdir(), 'promtool-deb-'));
  try {
    if (!run('apt-get', ['download', 'prometheus'], { cwd: download })) return undefined;
    const deb = readdirSync(download).find((f) => f.endsWith('.deb'));
    // Unpacked beside its final place under a name of this process's own, then renamed: a concurrent setup
    // finds either the whole directory or none.
    const staged = `${dir}.${process.pid}`;
    rmSync(staged, { recursive: true, force: true });
    const unpacked = deb && run('dpkg-deb', ['-x', join(download, deb), staged]) && builtVersion(join(staged, 'usr', 'bin', 'promtool'));
    try {
      if (unpacked) renameSync(staged, dir);
    } catch (err) {
      if (!existsSync(path)) throw err;
    } finally {
      rmSync(staged, { recursive: true, force: true });
    }
    return existsSync(path) ? path : undefined;
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

function builtVersion(path) {
  if (!existsSync(path)) return undefined;
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * `go install pkg@version`, or with `alongside` ({module: version}) a build in a scratch module that requires
 * those modules too, so that the build list (and Go's build cache) is theirs.
 */
function goBuild(go, item) {
  if (!item.alongside) return run(go, ['install', ...(item.flags ?? []), item.pkg], { env: { ...process.env, GOBIN: item.dir } });
  const pkg = item.pkg.slice(0, item.pkg.indexOf('@'));
  const module = mkdtempSync(join(tmpdir(), 'setup-go-module-'));
  try {
    const requires = [...Object.entries(item.alongside).map(([m, v]) => `${m}@${v}`), item.pkg];
    return (
      run(go, ['mod', 'init', 'recorder-runner-tools'], { cwd: module }) &&
      run(go, ['get', ...requires], { cwd: module }) &&
      run(go, ['build', ...(item.flags ?? []), '-o', item.path, pkg], { cwd: module })
    );
  } finally {
    rmSync(module, { recursive: true, force: true });
  }
}

/** Paths of the server tools; builds missing ones only when `build` (--server), else records what exists. */
function findServerTools(build) {
  const { go, bin, items } = serverBuilds();
  const found = {};
  for (const item of items) {
    const isPinned = (p) => (build && item.version ? builtVersion(p)?.endsWith(` ${item.version}`) : existsSync(p));
    if (!isPinned(item.path)) {
      const prebuilt = item.prebuilt?.(bin, build);
      if (prebuilt) {
        found[item.key] = prebuilt;
        continue;
      }
      if (!build) continue;
      if (!go) fail(`${item.pkg} is needed (npm run rehearsal) and Go is not installed.`);
      const started = Date.now();
      withBuildLock(bin, item.key, () => isPinned(item.path), () => {
        log(`building ${item.pkg} (takes minutes once)`);
        const built = goBuild(go, item) || (item.alongside && goBuild(go, { ...item, alongside: undefined }));
        if (!built) fail(`go build of ${item.pkg} failed; see above.`);
      });
      if (!isPinned(item.path)) fail(`the build of ${item.pkg} finished but ${item.path} does not report version ${item.version}.`);
      log(`built ${item.path} in ${Math.round((Date.now() - started) / 1000)} s`);
    }
    found[item.key] = item.path;
  }
  return found;
}

const started = Date.now();
const chromium = findChromium();
const ffmpeg = findDebianTool('ffmpeg', 'ffmpeg', 'FFMPEG_PATH');
const xmllint = findDebianTool('xmllint', 'libxml2-utils');
const chromiumHeadlessShell = await findHeadlessShell();
// A remote Temporal (TEMPORAL_ADDRESS) needs no local CLI; still resolve it when present for tests and demo.
const temporal = process.env.TEMPORAL_ADDRESS && process.env.SETUP_SKIP_TEMPORAL_CLI === '1' ? undefined : findTemporal();
const serverTools = findServerTools(withServer);
mkdirSync(join(root, '.cache'), { recursive: true });
writeFileSync(join(root, '.cache', 'tools.json'), JSON.stringify({ chromium, chromiumHeadlessShell, temporal, ffmpeg, xmllint, ...serverTools }, null, 2) + '\n');
log(`chromium: ${chromium}`);
log(`chromium headless shell: ${chromiumHeadlessShell ?? '(none: headless sessions use chromium)'}`);
log(`temporal: ${temporal ?? '(not needed: TEMPORAL_ADDRESS set)'}`);
for (const [key, path] of Object.entries(serverTools)) log(`${key}: ${path}`);
log(`ready in ${Date.now() - started} ms`);
