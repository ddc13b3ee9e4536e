import { existsSync } from 'node:fs';
import { MemoryGuard } from '../../src/ops/memory-guard';
import { descendantPids, measureProcessTree } from '../../src/ops/process-memory';
import { spawnMemoryHog, stop } from '../support/memory-hog';

const onLinux = existsSync('/proc/self/status');

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
  it('is low under a generous watermark', () => {
    const guard = new MemoryGuard({ highWatermarkMb: 1_000_000, sampleMs: 100 });
    expect(guard.isHigh()).toBe(false);
    expect(guard.lastSample!.totalMb).toBeGreaterThan(0);
  });

  it('is high above its watermark, and once started keeps sampling on its own until stopped', async () => {
    const guard = new MemoryGuard({ highWatermarkMb: 1, sampleMs: 50 });
    guard.start();
    try {
      expect(guard.isHigh()).toBe(true);
      const first = guard.lastSample!.at;
      await new Promise((r) => setTimeout(r, 200));
      expect(guard.lastSample!.at).toBeGreaterThan(first);
    } finally {
      guard.stop();
    }
    const last = guard.lastSample!.at;
    await new Promise((r) => setTimeout(r, 150));
    expect(guard.lastSample!.at).toBe(last);
  });

  it('measures afresh when asked after its last sample went stale, started or not', async () => {
    const guard = new MemoryGuard({ highWatermarkMb: 1, sampleMs: 50 });
    expect(guard.isHigh()).toBe(true);
    const first = guard.lastSample!.at;
    await new Promise((r) => setTimeout(r, 80));
    expect(guard.isHigh()).toBe(true);
    expect(guard.lastSample!.at).toBeGreaterThan(first);
  });

  it('treats a 0 watermark as disabled and rejects a negative or non-finite one', () => {
    const guard = new MemoryGuard({ highWatermarkMb: 0 });
    expect(guard.enabled).toBe(false);
    expect(guard.isHigh()).toBe(false);
    expect(() => new MemoryGuard({ highWatermarkMb: -5 })).toThrow(RangeError);
    expect(() => new MemoryGuard({ highWatermarkMb: Number.NaN })).toThrow(RangeError);
  });
});
