# syntax=docker/dockerfile:1

# Build: compile TypeScript to dist/ with the project's pinned compiler.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the image already runs Node 24, so the `node` devDependency's download is skipped.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN node_modules/.bin/tsc -p tsconfig.build.json

# Production dependencies only.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

FROM node:24-slim
# GLIBC_TUNABLES: glibc serves every allocation of 128 kB or more (a request body, a post on its way to the
# sanitizer thread) from its own mapping and gives it back when freed. By default glibc raises that threshold
# to the largest block freed so far, so after the first large post such blocks stay in its heaps: 15–20 MB more
# resident after the benchmark's hostile posts (bench/README.md). The server is started with the same setting
# by `npm start`, deploy/forum-api.service and the benchmark.
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/app/data \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY db-image ./db-image
COPY package.json ./
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
STOPSIGNAL SIGTERM
# Slim images have no curl: probe with node itself, exactly the path the ALB uses.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=2 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/ajax/health/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node directly (not npm), so SIGTERM reaches the server and it can drain. V8 sizes its young generation from
# the host's memory (128 MB on a 24 GB machine): 2 × 8 MB, and old space grown by 25 % between full GCs, keep
# the process near 120 MB under load instead of ~220 MB, for ~5 % more CPU per request (bench/README.md).
# --liftoff-only: WebAssembly (PGlite, the embedded database) is compiled by V8's baseline compiler only, never
# re-optimised by TurboFan; an embedded server holds about 190 MB instead of 300–450 MB after start, never
# peaks at 750 MB, and starts seconds sooner. V8 lists it among its testing flags: Node is pinned (package.json),
# so its behaviour cannot change under us. A PostgreSQL deployment runs no WebAssembly; `npm start` uses the same.
# --v8-pool-size=1: one V8 background thread (concurrent marking and sweeping, parallel scavenges) instead of
# four, on an instance of two vCPUs the one the event loop is not using. Four threads contending for the cores
# preempted the event loop in stalls of up to 20 ms: the ALB's probes beside the benchmark's mix answered within
# p99 ~6 ms instead of ~13 ms, for the same throughput (issue 18, bench/README.md).
# The benchmark starts the server with exactly these flags.
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=25", "--liftoff-only", "--v8-pool-size=1", "dist/server.js"]
