import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { unbracket } from './http.ts';

export interface HostPort {
  host: string;
  port: number;
}

export interface DoctorOptions {
  /** The API's base URL; only its origin is used (every path the doctor requests is absolute). */
  url: URL;
  origin: string;
  json: boolean;
  /** An instance to probe directly, as the ALB's health checker does. */
  target: HostPort | undefined;
  /**
   * The load balancer's own DNS name (and port, default the API's), probed directly with the API's host as
   * SNI and Host: behind Cloudflare, what the ALB itself serves (certificate, listener, health, CORS).
   */
  originHost: HostPort | undefined;
  /** host → address, like curl's --resolve: DNS is not consulted for these names. */
  resolve: Map<string, string>;
  /** Extra trusted CA certificates (PEM), added to the default roots. */
  ca: string[];
  /** Bound on every network operation (lookup, connect, handshake, request). */
  timeoutMs: number;
}

export class UsageError extends Error {}

export const usage = `Usage: forum-api-doctor <api-base-url> [options]
   or: npm run doctor -- <api-base-url> [options]

Diagnoses why a browser cannot reach the forum API: DNS, TCP, TLS, health, CORS, keep-alive,
and (with --target) one instance probed directly the way the ALB's health checker does.

Options:
  --origin <origin>      the front end's origin to test CORS for (default https://yongheonn.com)
  --target <host:port>   also probe an instance directly (e.g. 10.0.3.7:8080), bypassing the ALB
  --origin-host <alb-dns-name[:port]>
                         behind Cloudflare: also probe the load balancer directly, with the API's host as
                         SNI and Host (its certificate, listener, health, CORS), to tell Cloudflare's side
                         from AWS's
  --resolve <host:ip>    use this address for host instead of DNS (repeatable; curl's host:port:ip works too)
  --ca <file>            also trust the CA certificate(s) in this PEM file (repeatable)
  --timeout <ms>         bound on each network operation (default 5000)
  --json                 print a JSON report (schema forum-api-doctor/1) instead of the table
  -h, --help             show this help

Exit status: 0 when nothing failed (warnings allowed), 1 when a check failed, 2 on a usage error.`;

function parseUrl(value: string): URL {
  const url = URL.canParse(value) && /^[a-z]+:\/\//i.test(value) ? new URL(value) : URL.canParse(`https://${value}`) ? new URL(`https://${value}`) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`not an http(s) URL: ${value}`);
  return url;
}

function parseOrigin(value: string): string {
  if (!/^https?:\/\/[^/\s]+$/.test(value)) throw new UsageError(`--origin must look like https://host[:port] (got ${value})`);
  return value;
}

export function parseHostPort(value: string, flag: string): HostPort {
  const url = URL.canParse(`http://${value}`) ? new URL(`http://${value}`) : undefined;
  const port = Number(url?.port);
  if (!url || !url.port || !Number.isInteger(port) || port < 1 || url.pathname !== '/') throw new UsageError(`${flag} must be host:port (got ${value})`);
  return { host: unbracket(url.hostname), port };
}

/** A host name, or host:port; the port defaults to the API URL's (443 for https). */
function parseOriginHost(value: string, api: URL): HostPort {
  const url = URL.canParse(`http://${value}`) ? new URL(`http://${value}`) : undefined;
  if (!url || url.pathname !== '/' || url.username || !url.hostname) throw new UsageError(`--origin-host must be the load balancer's DNS name, optionally :port (got ${value})`);
  return { host: unbracket(url.hostname), port: Number(url.port) || Number(api.port) || (api.protocol === 'https:' ? 443 : 80) };
}

function parseResolve(values: string[]): Map<string, string> {
  const resolve = new Map<string, string>();
  for (const value of values) {
    const match = /^([^:\s]+):(?:\d+:)?(\[?[0-9a-f:.]+\]?)$/i.exec(value);
    const address = match?.[2] === undefined ? undefined : unbracket(match[2]);
    if (!match?.[1] || !address || isIP(address) === 0) throw new UsageError(`--resolve must be host:ip (got ${value})`);
    resolve.set(match[1].toLowerCase(), address);
  }
  return resolve;
}

function readCa(files: string[]): string[] {
  return files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--ca ${file}: ${(error as Error).message}`);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${file}: no PEM certificate in it`);
    return text;
  });
}

/** Parses the command line; returns undefined when help was asked for. */
export function parseOptions(argv: string[]): DoctorOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        origin: { type: 'string', default: 'https://yongheonn.com' },
        target: { type: 'string' },
        'origin-host': { type: 'string' },
        resolve: { type: 'string', multiple: true, default: [] },
        ca: { type: 'string', multiple: true, default: [] },
        timeout: { type: 'string', default: '5000' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('give exactly one API base URL, e.g. https://api.yongheonn.com');
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) throw new UsageError('--timeout must be a whole number of milliseconds between 100 and 120000');
  return {
    url: parseUrl(positionals[0]),
    origin: parseOrigin(values.origin),
    json: values.json,
    target: values.target === undefined ? undefined : parseHostPort(values.target, '--target'),
    originHost: values['origin-host'] === undefined ? undefined : parseOriginHost(values['origin-host'], parseUrl(positionals[0])),
    resolve: parseResolve(values.resolve),
    ca: readCa(values.ca),
    timeoutMs,
  };
}
