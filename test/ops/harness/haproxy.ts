import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopChild, track } from './children.ts';
import { freePort } from './ports.ts';

export interface Target {
  name: string;
  port: number;
  /** Health-check a different port than the traffic port (the seed incident checked 80, served 8080). */
  checkPort?: number;
}

/** The ALB target group's settings, scaled down from seconds to fractions so a test runs quickly. */
export interface HaproxyOptions {
  targets: Target[];
  checkPath?: string;
  checkIntervalMs?: number;
  checkTimeoutMs?: number;
  rise?: number;
  fall?: number;
  /**
   * HAProxy has no per-connection idle timeout towards servers: every purge delay it closes half of the
   * idle connections it does not expect to need, so after a burst of n the first close after 2–3 delays,
   * the last by about 3 + log2(n). That is the stand-in's "ALB idle timeout": it must end before the
   * servers' keep-alive.
   */
  poolPurgeDelayMs?: number;
  /** Extra backends (lane0…) over the same targets, chosen by an `X-Lane` header, each with its own pool. */
  lanes?: number;
  /** A second frontend that normalises paths (merge slashes, resolve dot-segments, decode) as some proxies do. */
  normalizingFrontend?: boolean;
}

export interface ServerStat {
  backend: string;
  server: string;
  status: string;
  idleConnections: number;
  usedConnections: number;
}

export interface Haproxy {
  port: number;
  normalizingPort: number | undefined;
  logs: string[];
  stats(): Promise<ServerStat[]>;
  waitForStatus(server: string, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

// The ALB's own error pages: HTML, `Server: awselb/2.0`, and no CORS headers or X-Request-Id.
function albErrorPage(status: number, reason: string): string {
  const body = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return `HTTP/1.1 ${status} ${reason}\r\nServer: awselb/2.0\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-cache\r\n\r\n${body}`;
}

type Ports = { front: number; normalizing?: number };

function serverDefaults(options: HaproxyOptions): string {
  const interval = options.checkIntervalMs ?? 1000;
  return [
    `inter ${interval}ms fastinter ${interval}ms downinter ${interval}ms`,
    `rise ${options.rise ?? 2} fall ${options.fall ?? 2}`,
    `pool-purge-delay ${options.poolPurgeDelayMs ?? 1000}ms`,
  ].join(' ');
}

function servers(options: HaproxyOptions, checks: boolean): string[] {
  return options.targets.map((target) => {
    const check = checks ? ` check${target.checkPort ? ` port ${target.checkPort}` : ''}` : '';
    return `  server ${target.name} 127.0.0.1:${target.port}${check}`;
  });
}

function globalAndDefaults(dir: string, ports: Ports, options: HaproxyOptions): string[] {
  return [
    'global',
    // normalize-uri is still marked experimental in HAProxy 2.6.
    ...(ports.normalizing === undefined ? [] : ['  expose-experimental-directives']),
    `  stats socket ${join(dir, 'admin.sock')} mode 600 level admin`,
    '  log stdout format raw local0 info',
    '  maxconn 4000',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  timeout connect 3s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-request 10s',
    `  timeout check ${options.checkTimeoutMs ?? 1000}ms`,
    // The ALB does not replay a request on another target: a failure reaches the client.
    '  retries 0',
    '  http-reuse always',
    ...[502, 503, 504].map((status) => `  errorfile ${status} ${join(dir, `${status}.http`)}`),
    '',
  ];
}

function frontends(ports: Ports, options: HaproxyOptions): string[] {
  const api = [
    'frontend api',
    `  bind 127.0.0.1:${ports.front}`,
    ...(options.lanes ? ['  use_backend lane%[req.hdr(x-lane)] if { req.hdr(x-lane) -m found }'] : []),
    '  default_backend targets',
    '',
  ];
  if (ports.normalizing === undefined) return api;
  const normalizations = ['path-merge-slashes', 'path-strip-dot', 'path-strip-dotdot full', 'percent-decode-unreserved', 'percent-to-uppercase'];
  return [
    ...api,
    'frontend normalizing',
    `  bind 127.0.0.1:${ports.normalizing}`,
    ...normalizations.map((normalization) => `  http-request normalize-uri ${normalization}`),
    '  default_backend targets',
    '',
  ];
}

function backends(options: HaproxyOptions): string[] {
  const targets = [
    'backend targets',
    '  balance roundrobin',
    '  option httpchk',
    `  http-check send meth GET uri ${options.checkPath ?? '/ajax/health/'} ver HTTP/1.1 hdr Host 127.0.0.1 hdr User-Agent ELB-HealthChecker/2.0`,
    '  http-check expect status 200',
    `  default-server ${serverDefaults(options)}`,
    ...servers(options, true),
    '',
  ];
  const lanes = Array.from({ length: options.lanes ?? 0 }, (_, lane) => [
    `backend lane${lane}`,
    `  default-server ${serverDefaults(options)}`,
    ...servers(options, false),
    '',
  ]);
  return [...targets, ...lanes.flat()];
}

function haproxyConfig(dir: string, ports: Ports, options: HaproxyOptions): string {
  return [...globalAndDefaults(dir, ports, options), ...frontends(ports, options), ...backends(options)].join('\n');
}

async function writeConfig(dir: string, ports: Ports, options: HaproxyOptions): Promise<string> {
  await writeFile(join(dir, '502.http'), albErrorPage(502, 'Bad Gateway'));
  await writeFile(join(dir, '503.http'), albErrorPage(503, 'Service Temporarily Unavailable'));
  await writeFile(join(dir, '504.http'), albErrorPage(504, 'Gateway Time-out'));
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(dir, ports, options));
  return file;
}

function query(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = '';
    socket.setTimeout(3000, () => socket.destroy(new Error(`haproxy did not answer "${command}"`)));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.end(`${command}\n`);
  });
}

function parseStats(csv: string): ServerStat[] {
  const [header = '', ...rows] = csv.trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const column = (row: string[], name: string) => row[columns.indexOf(name)] ?? '';
  return rows
    .map((line) => line.split(','))
    .filter((row) => !['FRONTEND', 'BACKEND'].includes(column(row, 'svname')))
    .map((row) => ({
      backend: column(row, 'pxname'),
      server: column(row, 'svname'),
      status: column(row, 'status'),
      idleConnections: Number(column(row, 'idle_conn_cur')) + Number(column(row, 'safe_conn_cur')),
      usedConnections: Number(column(row, 'used_conn_cur')),
    }));
}

/** Starts HAProxy in the foreground with a config generated into a fresh temporary directory. */
export async function startHaproxy(options: HaproxyOptions): Promise<Haproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'forum-ops-haproxy-'));
  const front = await freePort();
  const normalizing = options.normalizingFrontend ? await freePort() : undefined;
  const file = await writeConfig(dir, { front, ...(normalizing ? { normalizing } : {}) }, options);
  // Debian installs it in /usr/sbin, which a non-root PATH often lacks.
  const binary = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';
  const child = track(spawn(binary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const socketPath = join(dir, 'admin.sock');
  const stats = async () => parseStats(await query(socketPath, 'show stat'));

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${logs.join('\n')}`);
    if (await stats().then(() => true, () => false)) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not start within 10 s:\n${logs.join('\n')}`);
    await sleep(50);
  }

  return {
    port: front,
    normalizingPort: normalizing,
    logs,
    stats,
    async waitForStatus(server, status, timeoutMs = 15_000) {
      const started = Date.now();
      for (;;) {
        const current = (await stats()).find((stat) => stat.backend === 'targets' && stat.server === server)?.status ?? '';
        // "UP 1/2" and "DOWN 1/2" are transitions still in progress.
        if (current === status) return Date.now() - started;
        if (Date.now() - started > timeoutMs) throw new Error(`haproxy server ${server} is "${current}", not ${status}, after ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    async stop() {
      await stopChild(child, 'SIGTERM', 3000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
