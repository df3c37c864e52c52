import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { DoctorContext } from '../context.ts';
import { elapsed } from '../deadline.ts';
import { asNetworkError, withDeadline } from '../http.ts';
import { fail, pass, skip, warn, type CheckResult } from '../report.ts';
import { chainOf, judgeChain, judgeHostname, judgeValidity, parseAnchors } from './certificate.ts';

export const tlsCheckIds = ['tls.handshake', 'tls.validity', 'tls.hostname', 'tls.chain'] as const;

export interface Handshake {
  protocol: string;
  cipher: string;
  alpn: string | false | null;
  leaf: X509Certificate | undefined;
  peer: PeerCertificate;
}

/**
 * Handshakes without verifying (the checks below judge the certificate), sending SNI as a browser does:
 * the name asked for, whatever address is connected to (--origin-host connects to the ALB as the API).
 */
export function handshake(address: string, port: number, servername: string, timeoutMs: number): Promise<Handshake> {
  const socket: TLSSocket = connect({
    host: address,
    port,
    servername: isIP(servername) ? undefined : servername,
    rejectUnauthorized: false,
    ALPNProtocols: ['h2', 'http/1.1'],
  });
  const done = new Promise<Handshake>((resolve, reject) => {
    socket.once('secureConnect', () => {
      // Read before getPeerX509Certificate(): after it, Node 24 returns an empty peer certificate object.
      const peer = socket.getPeerCertificate();
      resolve({ protocol: socket.getProtocol() ?? '?', cipher: socket.getCipher().name, alpn: socket.alpnProtocol, peer, leaf: socket.getPeerX509Certificate() });
    });
    socket.once('error', reject);
  });
  return withDeadline(done, timeoutMs).finally(() => socket.destroy());
}

/** tls.validity, tls.hostname, tls.chain for a handshake that presented a certificate. */
export function judgeCertificate(result: Handshake & { leaf: X509Certificate }, hostname: string, trustedCa: string[]): CheckResult[] {
  const chain = chainOf(result.leaf);
  return [judgeValidity(chain, new Date()), judgeHostname(hostname, result.peer), judgeChain(chain, parseAnchors(trustedCa))];
}

const loopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** An https page may call plain http only on loopback: anything else is blocked as mixed content. */
function plainHttp(ctx: DoctorContext): CheckResult {
  if (ctx.options.origin.startsWith('https:') && !loopback(ctx.hostname)) {
    return warn('tls.handshake', `plain http: a page on ${ctx.options.origin} cannot call it (browsers block mixed content)`, `call the API over https (the ALB's HTTPS listener)`);
  }
  return skip('tls.handshake', 'plain http: no TLS to check');
}

export async function checkTls(ctx: DoctorContext): Promise<CheckResult[]> {
  if (!ctx.secure) return [plainHttp(ctx), ...tlsCheckIds.slice(1).map((id) => skip(id, 'plain http: no certificate'))];
  const started = performance.now();
  let result: Handshake;
  try {
    result = await handshake(ctx.addresses[0] ?? ctx.hostname, ctx.port, ctx.hostname, ctx.options.timeoutMs);
  } catch (error) {
    const problem = asNetworkError(error, ctx.options.timeoutMs);
    return [
      fail('tls.handshake', `TLS handshake failed (${problem.code}: ${problem.message})`, 'this port must speak HTTPS: an HTTPS listener on 443 with the ACM certificate', elapsed(started)),
      ...tlsCheckIds.slice(1).map((id) => skip(id, 'not run: no TLS handshake')),
    ];
  }
  const ms = elapsed(started);
  const alpn = result.alpn ? `, ALPN ${result.alpn}` : '';
  const handshakeLine = pass('tls.handshake', `${result.protocol} ${result.cipher}${alpn}`, ms);
  if (!result.leaf) return [handshakeLine, ...tlsCheckIds.slice(1).map((id) => fail(id, 'the server presented no certificate', 'configure a certificate on the HTTPS listener'))];
  return [handshakeLine, ...judgeCertificate({ ...result, leaf: result.leaf }, ctx.hostname, ctx.trustedCa)];
}
