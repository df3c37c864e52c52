import { placeOf, type CallFrame, type CpuProfile } from './cpu-profile.ts';

/** Packages by the layer of the request path they belong to. */
export const packageLayers: Record<string, string[]> = {
  'pg protocol': ['pg', 'pg-protocol', 'pg-pool', 'pg-types', 'pg-int8', 'pg-connection-string', 'postgres-array', 'postgres-bytea', 'postgres-date', 'postgres-interval'],
  kysely: ['kysely'],
  zod: ['zod'],
  'access log': ['pino', 'pino-http', 'pino-std-serializers', 'sonic-boom', 'fast-redact', '@pinojs/redact', 'quick-format-unescaped', 'safe-stable-stringify', 'thread-stream', 'atomic-sleep'],
  'CORS + security headers': ['cors', 'helmet', 'vary', 'object-assign'],
};
const projectLayers: Record<string, string> = {
  'dist/http/request-logging.js': 'access log',
  'dist/logger.js': 'access log',
  'dist/http/cors.js': 'CORS + security headers',
  'dist/http/security-headers.js': 'CORS + security headers',
};
const layerOfPackage = new Map(Object.entries(packageLayers).flatMap(([layer, names]) => names.map((name) => [name, layer] as const)));

/** A frame's layer; undefined when it says nothing by itself (native code, node's event emitter and fs, …). */
export function layerOf(frame: CallFrame): string | undefined {
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (frame.functionName === '(program)') return 'V8 / native, unattributed';
  const { url } = frame;
  if (url === '') return undefined;
  if (/^node:(_http_|net$|stream$|internal\/(streams|stream_base_commons|http))/.test(url)) return 'HTTP (node:http, sockets)';
  if (/^node:(timers$|internal\/(timers|process\/task_queues|process\/promises|async_hooks))/.test(url)) return 'promises / timers';
  if (url.startsWith('node:')) return undefined;
  const place = placeOf(url);
  if (place.startsWith('dist/') || place.startsWith('src/')) return projectLayers[place.replace(/^src\/(.*)\.ts$/, 'dist/$1.js')] ?? 'our code';
  return layerOfPackage.get(place) ?? (/node_modules\//.test(url) ? 'Express and its helpers' : undefined);
}

/**
 * The layer of a sample, from its frames leaf first: that of the nearest frame that has one (so `writev` under
 * `res.end` is HTTP, under pg's `query` is pg), except that socket work anywhere below pg counts as pg.
 */
export function nearestLayer(stack: readonly CallFrame[]): string {
  let nearest: string | undefined;
  for (const frame of stack) {
    const layer = layerOf(frame);
    if (nearest === undefined) nearest = layer;
    else if (nearest.startsWith('HTTP') && layer === 'pg protocol') return layer;
  }
  return nearest ?? 'node (other)';
}

export interface LayerWindow {
  /** Monotonic microseconds (`process.hrtime.bigint() / 1000n` in any process). */
  fromUs: number;
  toUs: number;
}

/**
 * Busy sampled milliseconds per bucket within the windows, a sample going to `bucketOf` its frames (leaf
 * first). Idle samples are left out; only the main thread is sampled.
 */
export function bucketsIn(profile: CpuProfile, windows: readonly LayerWindow[], bucketOf: (stack: readonly CallFrame[]) => string): Map<string, number> {
  const parent = new Map<number, number>();
  const frameOf = new Map<number, CallFrame>();
  for (const node of profile.nodes) {
    frameOf.set(node.id, node.callFrame);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const bucketOfLeaf = new Map<number, string>();
  const classify = (leaf: number): string => {
    const stack: CallFrame[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) stack.push(frameOf.get(id)!);
    return bucketOf(stack);
  };
  const buckets = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((leaf, index) => {
    const deltaUs = profile.timeDeltas[index] ?? 0;
    at += deltaUs;
    if (!windows.some((window) => at >= window.fromUs && at <= window.toUs) || frameOf.get(leaf)!.functionName === '(idle)') return;
    if (!bucketOfLeaf.has(leaf)) bucketOfLeaf.set(leaf, classify(leaf));
    const bucket = bucketOfLeaf.get(leaf)!;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + deltaUs / 1000);
  });
  return buckets;
}

export interface LoadLayers {
  label: string;
  requests: number;
  /** Server CPU per request from /proc (every thread). */
  cpuUsPerRequest: number;
  layers: Map<string, number>;
}

/** µs per request by layer (or by `what`), one column per load, with the difference of every later column from the first. */
export function formatLayers(loads: LoadLayers[], what = 'layer'): string {
  const perRequest = (load: LoadLayers, ms: number) => (ms * 1000) / load.requests;
  const names = [...new Set(loads.flatMap((load) => [...load.layers.keys()]))];
  const last = loads.at(-1)!;
  names.sort((a, b) => perRequest(last, last.layers.get(b) ?? 0) - perRequest(last, last.layers.get(a) ?? 0));
  const cell = (value: number) => value.toFixed(1).padStart(9);
  const difference = (values: number[]) => (loads.length > 1 ? values.slice(1).map((value) => cell(value - values[0]!)).join('') : '');
  const row = (name: string, values: number[]) => `${values.map(cell).join('')}${difference(values)}  ${name}`;
  const sampled = loads.map((load) => perRequest(load, [...load.layers.values()].reduce((sum, ms) => sum + ms, 0)));
  return [
    `µs per request by ${what} (main thread, sampled): ${loads.map((load, index) => `[${index + 1}] ${load.label}`).join('  ')}`,
    `${loads.map((_, index) => `[${index + 1}]`.padStart(9)).join('')}${loads.slice(1).map((_, index) => `[${index + 2}]-[1]`.padStart(9)).join('')}`,
    ...names.map((name) => row(name, loads.map((load) => perRequest(load, load.layers.get(name) ?? 0)))),
    row('sampled in all (time descheduled while on CPU counts too)', sampled),
    row('server CPU from /proc, every thread', loads.map((load) => load.cpuUsPerRequest)),
  ].join('\n');
}
