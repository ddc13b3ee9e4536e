/**
 * Summarises V8 CPU profiles by where the time went (package, Node internal, project folder), one table per
 * thread. Used to profile the bench (see BENCHMARKS.md):
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/run-bench.ts --only=p2 --no-write
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
 *
 * The profiler samples wall time while a thread runs JS, so on a loaded machine self times include time the
 * thread waited for a CPU: profile on a quiet machine.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function category(n: ProfileNode): string {
  const { url, functionName: fn } = n.callFrame;
  if (!url) return ['(idle)', '(garbage collector)', '(program)'].includes(fn) ? fn : `(native) ${fn}`;
  const pkg = /node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(url);
  if (pkg) return pkg[1].startsWith('@temporalio') ? `${pkg[1]}/${(url.split(`${pkg[1]}/`)[1] ?? '').split('/').slice(0, 2).join('/')}` : pkg[1];
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  const project = /\/(src|bench|test)\/([^/]+)/.exec(url);
  if (project) return `${project[1]}/${project[2]}`;
  if (/workflow-bundle/.test(url)) return 'workflow bundle';
  return url.slice(0, 60);
}

export function summarise(file: string, top = 20): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const byCat = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const c = category(byId.get(id)!);
    byCat.set(c, (byCat.get(c) ?? 0) + dt);
  });
  const busy = total - (byCat.get('(idle)') ?? 0);
  const lines = [`${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy`];
  [...byCat]
    .filter(([c]) => c !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .forEach(([c, t]) => lines.push(`  ${(t / 1e6).toFixed(2).padStart(7)} s ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${c}`));
  return lines.join('\n');
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile>...');
    process.exit(2);
  }
  for (const f of files) console.log(summarise(f) + '\n');
}
