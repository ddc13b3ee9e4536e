import { spawn, type ChildProcess } from 'node:child_process';

/** A real child process holding `mb` MB of touched memory, so the tree measurement has something to find. */
export async function spawnMemoryHog(mb: number): Promise<ChildProcess> {
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

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

