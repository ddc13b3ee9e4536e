/**
 * The container image and Kubernetes manifests, checked statically (no Docker engine or cluster here):
 * the Dockerfile's versions, files and runtime contract, the production TypeScript build it runs, and the
 * manifests' consistency with the image and the worker's settings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envSchema } from '../../src/config/env';
import { PROJECT_ROOT } from '../../src/support/tools';
import { findYamlParser } from './yaml';

const read = (...parts: string[]) => readFileSync(join(PROJECT_ROOT, ...parts), 'utf8');
const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
const dockerfile = read('Dockerfile');
/** Dockerfile instructions with line continuations joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions
  .join('\n')
  .split(/^FROM /m)
  .slice(1)
  .map((s) => `FROM ${s}`);
const runtime = stages[stages.length - 1];
const argDefault = (name: string) => new RegExp(`^ARG ${name}=(\\S+)$`, 'm').exec(instructions.join('\n'))?.[1];

/** Variables the ops layer reads on top of src/config/env.ts (to be added there), plus logger/setup ones. */
const OPS_ENV = [
  'HEALTH_PORT',
  'TEMPORAL_SDK_METRICS_PORT',
  'MEMORY_HIGH_WATERMARK_MB',
  'MEMORY_SAMPLE_MS',
  'LOG_FORMAT',
  'SUPABASE_URL',
  'SUPABASE_SERVICE_ROLE_KEY',
];

describe('Dockerfile', () => {
  it('builds from and runs on the Playwright image of the exact Playwright version in package.json', () => {
    expect(argDefault('PLAYWRIGHT_VERSION')).toBe(pkg.dependencies.playwright);
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms).toEqual([
      'FROM mcr.microsoft.com/playwright:v${PLAYWRIGHT_VERSION}-noble AS build',
      'FROM mcr.microsoft.com/playwright:v${PLAYWRIGHT_VERSION}-noble AS runtime',
    ]);
  });

  it('copies only files that exist in the build context and are not excluded by .dockerignore', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const sources = copy
        .split(/\s+/)
        .slice(1, -1)
        .filter((a) => !a.startsWith('--'));
      for (const source of sources) {
        expect({ source, exists: existsSync(join(PROJECT_ROOT, source)) }).toEqual({ source, exists: true });
        const top = source.replace(/^\.\//, '').split('/')[0];
        expect({ source, ignored: ignored.includes(top) || ignored.includes(source) }).toEqual({ source, ignored: false });
      }
    }
    // Secrets and local state never enter the context.
    for (const entry of ['.env', '.git', 'node_modules', '.temporal', 'artifacts']) expect(ignored).toContain(entry);
  });

  it('runs the compiled worker as a fixed non-root user, with CHROMIUM_PATH, a node HEALTHCHECK and SIGTERM', () => {
    const uid = argDefault('APP_UID');
    expect(Number(uid)).toBeGreaterThan(0);
    expect(runtime).toMatch(/^USER \$\{APP_UID\}:\$\{APP_UID\}$/m);
    expect(runtime).toMatch(/usermod -u "\$\{APP_UID\}"[^\n]* pwuser/);
    expect(runtime).toMatch(/CHROMIUM_PATH=\/usr\/local\/bin\/chromium/);
    expect(runtime).toMatch(/PLAYWRIGHT_BROWSERS_PATH=\/ms-playwright/);
    expect(runtime).toMatch(/ln -s "\$chromium" \/usr\/local\/bin\/chromium/);
    expect(runtime).toMatch(/^EXPOSE 8080$/m);
    expect(runtime).toMatch(/^STOPSIGNAL SIGTERM$/m);
    const healthcheck = /^HEALTHCHECK .*CMD (\[.*\])$/m.exec(runtime);
    expect(healthcheck).not.toBeNull();
    const cmd = JSON.parse(healthcheck![1]) as string[];
    expect(cmd.slice(0, 2)).toEqual(['node', '-e']);
    expect(cmd[2]).toContain("process.env.HEALTH_PORT||8080)+'/health'");
    expect(runtime).not.toMatch(/curl|wget/);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/worker\.js"\]$/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(runtime).toMatch(/WORKFLOW_BUNDLE_PATH=\/app\/dist\/workflow-bundle\.js/);
  });

  it('compiles src/ with docker/tsconfig.build.json to dist/src/worker.js (the production build)', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'recorder-build-'));
    try {
      const tsc = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');
      const r = spawnSync(tsc, ['-p', join(PROJECT_ROOT, 'docker', 'tsconfig.build.json'), '--outDir', outDir], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        timeout: 300_000,
      });
      expect({ status: r.status, output: r.stdout + r.stderr }).toEqual({ status: 0, output: '' });
      for (const file of ['src/worker.js', 'src/ops/bundle-workflows.js', 'src/ops/health-server.js', 'src/workflows/index.js']) {
        expect({ file, exists: existsSync(join(outDir, file)) }).toEqual({ file, exists: true });
      }
      // Nothing outside src/ (tests, bench) is compiled into the image.
      expect(existsSync(join(outDir, 'test'))).toBe(false);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});

describe('deploy/k8s', () => {
  const parser = findYamlParser();
  const load = <T>(file: string) => parser!.parse(read('deploy', 'k8s', file)) as T;

  type Container = {
    image: string;
    env?: Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
    envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
    ports: Array<{ name: string; containerPort: number }>;
    resources: { requests: Record<string, string>; limits: Record<string, string> };
    livenessProbe: { httpGet: { path: string; port: string } };
    readinessProbe: { httpGet: { path: string; port: string } };
    startupProbe: { httpGet: { path: string; port: string }; periodSeconds: number; failureThreshold: number };
    lifecycle: { preStop: { exec: { command: string[] } } };
    securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } };
    volumeMounts: Array<{ name: string; mountPath: string }>;
  };
  type Deployment = {
    kind: string;
    metadata: { name: string };
    spec: {
      replicas: number;
      selector: { matchLabels: Record<string, string> };
      template: {
        metadata: { labels: Record<string, string> };
        spec: {
          terminationGracePeriodSeconds: number;
          securityContext: { runAsNonRoot: boolean; runAsUser: number; runAsGroup: number; fsGroup: number };
          containers: Container[];
          volumes: Array<{ name: string; emptyDir?: { medium?: string; sizeLimit?: string } }>;
        };
      };
    };
  };

  const mib = (q: string) => {
    const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(q);
    if (!m) throw new Error(`unexpected quantity ${q}`);
    return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
  };

  it('has a kustomization whose resources exist and parse, without the example Secret', () => {
    expect(parser).toBeDefined();
    const k = load<{ kind: string; resources: string[] }>('kustomization.yaml');
    expect(k.kind).toBe('Kustomization');
    expect(k.resources).toEqual(expect.arrayContaining(['configmap.yaml', 'deployment.yaml', 'hpa.yaml']));
    expect(k.resources).not.toContain('secret.example.yaml');
    for (const file of k.resources) expect(load<{ kind: string }>(file).kind).toEqual(expect.any(String));
  });

  it('runs 2 replicas that drain within the termination grace period, with probes on the health server', () => {
    const d = load<Deployment>('deployment.yaml');
    const config = load<{ data: Record<string, string> }>('configmap.yaml').data;
    const env = envSchema.parse(Object.fromEntries(Object.entries(config).filter(([k]) => k in envSchema.shape)));
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    const preStopSeconds = Number(c.lifecycle.preStop.exec.command[1]);
    expect(c.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
    expect(pod.terminationGracePeriodSeconds).toBe(330);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(env.SHUTDOWN_GRACE_MS / 1000 + preStopSeconds);
    expect(c.livenessProbe.httpGet.path).toBe('/health');
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
    expect(c.startupProbe.httpGet.path).toBe('/health');
    const port = c.ports.find((p) => p.name === c.livenessProbe.httpGet.port);
    expect(port?.containerPort).toBe(Number(config.HEALTH_PORT));
    expect(c.env?.find((e) => e.name === 'WORKER_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(c.envFrom?.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual(['recorder-runner-config', 'recorder-runner-secrets']);
  });

  it('is non-root (the image user) with a read-only root filesystem, /tmp and a memory-backed /dev/shm', () => {
    const pod = load<Deployment>('deployment.yaml').spec.template.spec;
    const c = pod.containers[0];
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: Number(argDefault('APP_UID')),
      runAsGroup: Number(argDefault('APP_UID')),
    });
    expect(c.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const volume = (mountPath: string) => pod.volumes.find((v) => v.name === c.volumeMounts.find((m) => m.mountPath === mountPath)?.name);
    expect(volume('/tmp')?.emptyDir).toBeDefined();
    expect(volume('/dev/shm')?.emptyDir?.medium).toBe('Memory');
    const config = load<{ data: Record<string, string> }>('configmap.yaml').data;
    expect(volume(config.SCREENSHOT_DIR)).toBeDefined();
    expect(volume(config.RESULTS_DIR)).toBeDefined();
  });

  it('sizes memory for MAX_CONCURRENT_SESSIONS at ~500 MB + 150 MB/session, with the watermark under the limit', () => {
    const c = load<Deployment>('deployment.yaml').spec.template.spec.containers[0];
    const config = load<{ data: Record<string, string> }>('configmap.yaml').data;
    const sessions = Number(config.MAX_CONCURRENT_SESSIONS);
    expect(mib(c.resources.requests.memory)).toBeGreaterThanOrEqual(500 + 150 * sessions);
    expect(mib(c.resources.limits.memory)).toBeGreaterThan(mib(c.resources.requests.memory));
    expect(Number(config.MEMORY_HIGH_WATERMARK_MB)).toBeLessThan(mib(c.resources.limits.memory));
    expect(read('deploy', 'k8s', 'deployment.yaml')).toMatch(/benchmark's measured MB\/session/);
  });

  it('configures only variables the worker reads', () => {
    const config = load<{ data: Record<string, string> }>('configmap.yaml').data;
    const secret = load<{ stringData: Record<string, string> }>('secret.example.yaml').stringData;
    const known = new Set([...Object.keys(envSchema.shape), ...OPS_ENV]);
    for (const key of [...Object.keys(config), ...Object.keys(secret)])
      expect({ key, known: known.has(key) }).toEqual({ key, known: true });
    expect(Object.keys(secret).sort()).toEqual(['SUPABASE_SERVICE_ROLE_KEY', 'TEMPORAL_API_KEY', 'TEMPORAL_PAYLOAD_KEY']);
    // Values a ConfigMap holds are strings; a YAML number would be rejected by the API server.
    for (const [key, value] of Object.entries(config)) expect({ key, type: typeof value }).toEqual({ key, type: 'string' });
  });

  it('autoscales the deployment on CPU with autoscaling/v2', () => {
    const hpa = load<{
      apiVersion: string;
      spec: {
        scaleTargetRef: { kind: string; name: string };
        minReplicas: number;
        metrics: Array<{ type: string; resource?: { name: string } }>;
      };
    }>('hpa.yaml');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: load<Deployment>('deployment.yaml').metadata.name });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.metrics).toEqual([expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) })]);
    expect(read('deploy', 'k8s', 'hpa.yaml')).toMatch(/recorder_sessions_active/);
  });
});
