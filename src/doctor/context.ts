import * as tls from 'node:tls';
import { createTransport, send, unbracket, type HttpAnswer, type NetworkError, type Transport } from './http.ts';
import type { DoctorOptions } from './options.ts';

export type Outcome = { ok: true; answer: HttpAnswer } | { ok: false; error: NetworkError };

/** What every check sees: the options, where the API is, and the requests already made (made once each). */
export interface DoctorContext {
  options: DoctorOptions;
  hostname: string;
  port: number;
  secure: boolean;
  /** Addresses found by the dns check; tcp and tls connect to the first. */
  addresses: string[];
  /** Trust anchors for https: Node's default roots plus --ca. */
  trustedCa: string[];
  transport: Transport;
  /** The first check that met an answer made up by the load balancer (the others refer to it). */
  loadBalancerSeenAt: string | undefined;
  /** The first check that met an error page Cloudflare made up itself (520–526…). */
  cloudflareSeenAt: string | undefined;
  /** GET/OPTIONS/POST on the API, memoised by key so several checks can judge one answer. */
  fetch(key: string, path: string, init?: { method?: string; headers?: Record<string, string> }): Promise<Outcome>;
  /** Memoises any other probe (the --target health check is read by two checks). */
  once<T>(key: string, probe: () => Promise<T>): Promise<T>;
  close(): void;
}

function defaultRoots(): string[] {
  // Node 22.15+ also counts NODE_EXTRA_CA_CERTS among the defaults; older Nodes have the bundled roots only.
  const getCACertificates = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  return getCACertificates ? getCACertificates('default') : [...tls.rootCertificates];
}

export function createContext(options: DoctorOptions): DoctorContext {
  const secure = options.url.protocol === 'https:';
  const trustedCa = [...defaultRoots(), ...options.ca];
  const transport = createTransport(options.resolve, options.timeoutMs);
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, probe: () => Promise<T>): Promise<T> => {
    if (!memo.has(key)) memo.set(key, probe());
    return memo.get(key) as Promise<T>;
  };
  return {
    options,
    hostname: unbracket(options.url.hostname),
    port: Number(options.url.port) || (secure ? 443 : 80),
    secure,
    addresses: [],
    trustedCa,
    transport,
    loadBalancerSeenAt: undefined,
    cloudflareSeenAt: undefined,
    once,
    fetch: (key, path, init = {}) =>
      once(key, () =>
        send(transport, { url: new URL(path, options.url.origin), method: init.method, headers: init.headers }).then(
          (answer): Outcome => ({ ok: true, answer }),
          (error: NetworkError): Outcome => ({ ok: false, error }),
        ),
      ),
    close: () => transport.close(),
  };
}
