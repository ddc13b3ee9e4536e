# syntax=docker/dockerfile:1
#
# recorder-runner worker image.
#   docker build -t recorder-runner .
#   docker run --rm -e TEMPORAL_ADDRESS=host:7233 -p 8080:8080 --shm-size=1g recorder-runner
#
# Both stages are Playwright's image for the exact Playwright version in package.json, so the Chromium build,
# its system libraries and fonts are the ones that Playwright release was tested with. Keep
# PLAYWRIGHT_VERSION equal to package.json's "playwright" (test/ops/deploy-files.test.ts checks it).
ARG PLAYWRIGHT_VERSION=1.65.1

# ---------------------------------------------------------------------------------------------------------
# build: all dependencies, compile TypeScript to dist/, pre-bundle the workflows, then drop dev dependencies.
FROM mcr.microsoft.com/playwright:v${PLAYWRIGHT_VERSION}-noble AS build
WORKDIR /app
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm_config_fund=false \
    npm_config_audit=false \
    npm_config_update_notifier=false

COPY package.json package-lock.json ./
# npm ci installs exactly the lock file. If the lock has fallen out of sync with package.json, the build still
# works (npm install, resolved anew: not reproducible) and says so loudly: regenerate and commit the lock.
RUN --mount=type=cache,target=/root/.npm \
    npm ci \
 || { echo >&2 '!! npm ci failed: package-lock.json is out of sync with package.json; falling back to npm install'; \
      npm install --no-save; }

COPY tsconfig.json ./
COPY docker/tsconfig.build.json ./docker/
COPY src ./src
# 1. tsc: src/**/*.ts -> dist/src/**/*.js (entry point dist/src/worker.js).
# 2. Workflow bundle built once here: the worker loads it (WORKFLOW_BUNDLE_PATH) instead of running webpack at
#    startup (faster start, a few hundred MB less peak memory).
# 3. Fallback if WORKFLOW_BUNDLE_PATH is unset (e.g. emptied by an .env file): the worker bundles
#    resolve(__dirname, '../workflows/index.ts'), so keep the workflow sources beside the compiled code.
RUN npx tsc -p docker/tsconfig.build.json \
 && node dist/src/ops/bundle-workflows.js src/workflows/index.ts dist/workflow-bundle.js \
 && cp -r src/workflows/. dist/src/workflows/ \
 && npm prune --omit=dev \
 # The image has Playwright's own headless shell (below): not the 67 MB compressed one setup.mjs unpacks.
 && rm -rf node_modules/@sparticuz

# ---------------------------------------------------------------------------------------------------------
# runtime
FROM mcr.microsoft.com/playwright:v${PLAYWRIGHT_VERSION}-noble AS runtime

# pwuser is the image's non-root user; give it fixed ids so Kubernetes can verify runAsNonRoot (numeric USER)
# and securityContext.runAsUser/fsGroup can name them. tini as PID 1 reaps the zombies Chromium's helper
# processes leave behind (Playwright's docs ask for --init) and forwards SIGTERM to node only: node drains its
# rows first and closes the browsers itself. ffmpeg (the distribution's) encodes row videos (README, Artifacts).
ARG APP_UID=10001
RUN groupmod -g "${APP_UID}" pwuser \
 && usermod -u "${APP_UID}" -g "${APP_UID}" pwuser \
 && apt-get update \
 && apt-get install -y --no-install-recommends tini ffmpeg \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    PLAYWRIGHT_BROWSERS_PATH=/ms-playwright \
    CHROMIUM_PATH=/usr/local/bin/chromium \
    CHROMIUM_HEADLESS_SHELL_PATH=/usr/local/bin/chromium-headless-shell \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    HEALTH_PORT=8080 \
    SCREENSHOT_DIR=/app/artifacts/screenshots \
    RESULTS_DIR=/app/artifacts/results \
    ARTIFACT_DIR=/app/artifacts/files \
    FFMPEG_PATH=/usr/bin/ffmpeg \
    LOG_FORMAT=json \
    HOME=/home/pwuser \
    XDG_CONFIG_HOME=/tmp/.config \
    XDG_CACHE_HOME=/tmp/.cache

# Application files stay root-owned (read-only to the app user); only artifacts/* and .cache/ are writable
# (the hardened deployments mount tmpfs/volumes there; a named volume copies this ownership when created).
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# TypeScript sources, examples and setup script: only for `npm run demo` (tsx) in this image.
COPY --from=build /app/src ./src
COPY --from=build /app/tsconfig.json ./
COPY examples ./examples
COPY scripts ./scripts

# The Chromium of this Playwright version, wherever the image keeps it (/ms-playwright/chromium-<rev>/
# chrome-linux64/chrome on amd64, chrome-linux-arm64 on arm64), behind one stable path: CHROMIUM_PATH; and
# its headless shell (/ms-playwright/chromium_headless_shell-<rev>/...), which headless sessions run, behind
# CHROMIUM_HEADLESS_SHELL_PATH. (Outside the image, scripts/setup.mjs unpacks one from @sparticuz/chromium,
# which this image leaves out.)
RUN chromium="$(node -e "process.stdout.write(require('playwright').chromium.executablePath())")" \
 && test -x "$chromium" \
 && ln -s "$chromium" /usr/local/bin/chromium \
 && /usr/local/bin/chromium --version \
 && shell="$(ls -d /ms-playwright/chromium_headless_shell-*/chrome-*/headless_shell | head -n 1)" \
 && test -x "$shell" \
 && ln -s "$shell" /usr/local/bin/chromium-headless-shell \
 && /usr/local/bin/chromium-headless-shell --version \
 && mkdir -p /app/artifacts/screenshots /app/artifacts/results /app/.cache \
 && chown -R "${APP_UID}:${APP_UID}" /app/artifacts /app/.cache

USER ${APP_UID}:${APP_UID}
EXPOSE 8080
STOPSIGNAL SIGTERM
# No curl in the image: node asks /health (200 = ok; 503 = degraded, e.g. the browser cannot be launched).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/worker.js"]
