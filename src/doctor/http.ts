import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first 64 KiB of the body, as text. */
  body: string;
  ms: number;
}

/** A network failure, with the system error code when there is one (ECONNREFUSED, ETIMEDOUT…). */
export class NetworkError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export const timeoutCode = 'ETIMEDOUT';
const bodyLimit = 64 * 1024;

/** The one timeout error: what a deadline, or a system ETIMEDOUT, reports. */
export const timeoutError = (ms: number) => new NetworkError(timeoutCode, `no answer within ${ms} ms`);

export function asNetworkError(error: unknown, timeoutMs: number): NetworkError {
  if (error instanceof NetworkError) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === timeoutCode) return timeoutError(timeoutMs);
  return new NetworkError(typeof code === 'string' ? code : 'ERROR', message);
}

/** Rejects with ETIMEDOUT when `work` has not settled within `ms`; `cancel` releases what it holds. */
export function withDeadline<T>(work: Promise<T>, ms: number, cancel: () => void = () => undefined): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      cancel();
      reject(timeoutError(ms));
    }, ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** A host name or address without the brackets a URL puts around IPv6 ([::1] → ::1). */
export const unbracket = (host: string) => host.replace(/^\[|\]$/g, '');

/** address:port, with an IPv6 address in brackets ([::1]:8080). */
export const hostPort = (address: string, port: number | string) => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

/** A lookup that answers the --resolve names itself and asks the system resolver for the others. */
export function lookupWith(resolve: Map<string, string>): LookupFunction {
  return (hostname, options, callback) => {
    const address = resolve.get(hostname.toLowerCase());
    if (address === undefined) {
      dnsLookup(hostname, options, callback);
      return;
    }
    const family = isIP(address);
    if (options.all) (callback as (error: null, addresses: LookupAddress[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

export interface Transport {
  resolve: Map<string, string>;
  timeoutMs: number;
  /** Keep-alive agents, so servers advertise their Keep-Alive timeout; destroyed by close(). */
  agents: { http: HttpAgent; https: HttpsAgent };
}

export function createTransport(resolve: Map<string, string>, timeoutMs: number): Transport & { close(): void } {
  const agents = { http: new HttpAgent({ keepAlive: true, maxSockets: 4 }), https: new HttpsAgent({ keepAlive: true, maxSockets: 4 }) };
  return {
    resolve,
    timeoutMs,
    agents,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

export interface HttpRequest {
  url: URL;
  method?: string;
  headers?: OutgoingHttpHeaders;
}

/**
 * One request, bounded as a whole by the transport's timeout (lookup, connect, handshake, answer).
 * TLS is not verified here: the tls.* checks judge the certificate, and the HTTP checks still say what
 * the server behind a bad certificate answers (in the seed incident both were wrong at once).
 */
export function send(transport: Transport, request: HttpRequest): Promise<HttpAnswer> {
  const { url } = request;
  const secure = url.protocol === 'https:';
  const started = performance.now();
  let req: ClientRequest | undefined;
  const answered = new Promise<HttpAnswer>((resolve, reject) => {
    const options = {
      host: unbracket(url.hostname),
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: request.method ?? 'GET',
      headers: { Host: url.host, ...request.headers },
      lookup: lookupWith(transport.resolve),
      agent: secure ? transport.agents.https : transport.agents.http,
    };
    const tlsOptions = secure
      ? { servername: isIP(url.hostname) ? undefined : url.hostname, rejectUnauthorized: false }
      : {};
    req = (secure ? httpsRequest : httpRequest)({ ...options, ...tlsOptions }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < bodyLimit) body += chunk.slice(0, bodyLimit - body.length);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Math.round(performance.now() - started) }));
      res.on('error', (error) => reject(asNetworkError(error, transport.timeoutMs)));
    });
    req.on('error', (error) => reject(asNetworkError(error, transport.timeoutMs)));
    req.end();
  });
  return withDeadline(answered, transport.timeoutMs, () => req?.destroy(timeoutError(transport.timeoutMs)));
}

/** A header as one string (repeated headers joined), lower-cased name. */
export function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The comma-separated tokens of a header, lower-cased. */
export function headerTokens(answer: HttpAnswer, name: string): string[] {
  return (header(answer, name) ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
}
