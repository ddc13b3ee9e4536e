import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { MemoryGuard, descendantPids, measureProcessTree } from '../../src/ops/memory-guard';

const onLinux = existsSync('/proc/self/status');

/** A real child process holding `mb` MB of touched memory, so the tree measurement has something to find. */
async function spawnMemoryHog(mb: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `globalThis.hog = Buffer.alloc(${mb} * 1024 * 1024, 1); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`memory hog exited with ${code}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('memory measurement', () => {
  it('measures this process (> 0 MB)', () => {
    const sample = measureProcessTree();
    expect(sample.totalMb).toBeGreaterThan(10);
    expect(sample.selfMb).toBeGreaterThan(10);
    expect(sample.totalMb).toBeGreaterThanOrEqual(sample.selfMb);
    expect(sample.source).toBe(onLinux ? 'proc' : 'process.memoryUsage');
  });

  it('counts child processes (the browsers) through /proc ppid links', async () => {
    const hog = await spawnMemoryHog(64);
    try {
      expect(descendantPids(process.pid)).toContain(hog.pid);
      const sample = measureProcessTree();
      expect(sample.processes).toBeGreaterThanOrEqual(2);
      expect(sample.childrenMb).toBeGreaterThanOrEqual(64);
      expect(sample.totalMb).toBeCloseTo(sample.selfMb + sample.childrenMb, 0);
      // Measured from outside, as a supervisor would: the hog is a descendant of this process.
      expect(measureProcessTree({ pid: hog.pid! }).selfMb).toBeGreaterThanOrEqual(64);
      // Summed RSS counts shared pages once per process, PSS splits them: never more than RSS.
      const rss = measureProcessTree({ measure: 'rss' });
      expect(rss.measure).toBe('rss');
      expect(rss.childrenMb).toBeGreaterThanOrEqual(64);
      expect(sample.measure).toBe('pss');
      expect(sample.totalMb).toBeLessThanOrEqual(rss.totalMb + 5);
    } finally {
      await stop(hog);
    }
    expect(descendantPids(process.pid)).not.toContain(hog.pid);
  });
});

describe('MemoryGuard', () => {
  it('is low under a generous watermark and waitUntilBelow resolves at once', async () => {
    const guard = new MemoryGuard({ highWatermarkMb: 1_000_000, sampleMs: 100 });
    expect(guard.isHigh()).toBe(false);
    expect(guard.lastSampleMb).toBeGreaterThan(0);
    await expect(guard.waitUntilBelow()).resolves.toBeUndefined();
    expect(guard.waiting).toBe(0);
  });

  it('with a 1 MB watermark is high, and waitUntilBelow stays pending until the watermark is raised', async () => {
    const guard = new MemoryGuard({ highWatermarkMb: 1, sampleMs: 50 });
    guard.start();
    try {
      expect(guard.isHigh()).toBe(true);
      let settled = false;
      const waiting = guard.waitUntilBelow().then(() => (settled = true));
      expect(guard.waiting).toBe(1);
      // Several sampling periods go by: still above 1 MB, still waiting.
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      expect(guard.lastSample!.at).toBeGreaterThan(Date.now() - 200);

      guard.highWatermarkMb = 1_000_000;
      await waiting;
      expect(settled).toBe(true);
      expect(guard.isHigh()).toBe(false);
      expect(guard.waiting).toBe(0);
    } finally {
      guard.stop();
    }
  });

  it('samples on its own while someone waits, even when not started, and stops afterwards', async () => {
    const guard = new MemoryGuard({ highWatermarkMb: 1, sampleMs: 50 });
    const waiting = guard.waitUntilBelow();
    const first = guard.lastSample!.at;
    await new Promise((r) => setTimeout(r, 200));
    expect(guard.waiting).toBe(1);
    expect(guard.lastSample!.at).toBeGreaterThan(first);

    guard.highWatermarkMb = 1_000_000;
    await expect(waiting).resolves.toBeUndefined();
    expect(guard.waiting).toBe(0);
    const last = guard.lastSample!.at;
    await new Promise((r) => setTimeout(r, 150));
    expect(guard.lastSample!.at).toBe(last);
  });

  it('rejects a pending waitUntilBelow with the abort reason when the signal aborts', async () => {
    const guard = new MemoryGuard({ highWatermarkMb: 1, sampleMs: 50 });
    const controller = new AbortController();
    const waiting = guard.waitUntilBelow(controller.signal);
    expect(guard.waiting).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    const reason = new Error('slot reservation cancelled');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(guard.waiting).toBe(0);

    // An already-aborted signal rejects at once.
    await expect(guard.waitUntilBelow(AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(guard.waiting).toBe(0);
  });

  it('treats a 0 watermark as disabled and rejects a negative one', async () => {
    const guard = new MemoryGuard({ highWatermarkMb: 0 });
    expect(guard.enabled).toBe(false);
    expect(guard.isHigh()).toBe(false);
    await expect(guard.waitUntilBelow()).resolves.toBeUndefined();
    expect(() => new MemoryGuard({ highWatermarkMb: -5 })).toThrow(RangeError);
    expect(() => {
      guard.highWatermarkMb = Number.NaN;
    }).toThrow(RangeError);
  });
});
