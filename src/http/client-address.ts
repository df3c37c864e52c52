import type { Express, RequestHandler } from 'express';
import type { TrustProxy } from '../config.ts';
import type { Logger } from '../logger.ts';
import { cloudflareRanges } from './cloudflare-ranges.ts';

type TrustFunction = (address: string, hop: number) => boolean;

/**
 * Where the client address comes from (req.ip, the key of every per-address rate limit). Express walks
 * X-Forwarded-For from the right while the address it reached is a trusted proxy; the first untrusted one
 * is the client. Behind Cloudflare → ALB the header ends "…, visitor, edge" and the peer is the ALB:
 * trusting the ALB's private addresses and Cloudflare's ranges lands on the visitor — the same address
 * Cloudflare puts in CF-Connecting-IP, without believing a header any client can also write.
 */
export function trustProxySetting(trust: TrustProxy): number | false | string[] {
  if ('hops' in trust) return trust.hops === 0 ? false : trust.hops;
  return trust.proxies.flatMap((entry) => (entry === 'cloudflare' ? [...cloudflareRanges.ipv4, ...cloudflareRanges.ipv6] : [entry]));
}

/** The start-up log's account of the active mode. */
export function describeTrustProxy(trust: TrustProxy): string {
  if ('hops' in trust) {
    return trust.hops === 0
      ? 'no proxy trusted: the client address is the TCP peer and X-Forwarded-For is ignored'
      : `${trust.hops} proxy hop(s) trusted: the client address is X-Forwarded-For's entry ${trust.hops} from the right`;
  }
  const named = trust.proxies.map((entry) => (entry === 'cloudflare' ? `cloudflare (its ${cloudflareRanges.ipv4.length + cloudflareRanges.ipv6.length} published ranges, checked ${cloudflareRanges.checked})` : entry));
  return `proxies trusted: ${named.join(', ')}; the client address is the first X-Forwarded-For entry from the right that is not one of them`;
}

// A misconfigured chain sends the header on every request: one line per window says so without flooding.
const warningIntervalMs = 5 * 60_000;

/**
 * Applies TRUST_PROXY to the app, logs the mode, and warns (at most once per 5 minutes, with a count) when
 * requests carry an X-Forwarded-For that is ignored because their peer is not a trusted proxy: either a
 * client forging it, or a proxy in front that TRUST_PROXY does not name (then every visitor shares its limits).
 */
export function applyTrustProxy(app: Express, trust: TrustProxy, logger: Logger): RequestHandler {
  app.set('trust proxy', trustProxySetting(trust));
  const trusted = app.get('trust proxy fn') as TrustFunction;
  const mode = describeTrustProxy(trust);
  logger.info({ trustProxy: mode }, 'client addresses');
  let lastWarning = Number.NEGATIVE_INFINITY;
  let ignored = 0;
  return (req, _res, next) => {
    const peer = req.socket.remoteAddress;
    if (req.headers['x-forwarded-for'] !== undefined && peer !== undefined && !trusted(peer, 0)) {
      ignored += 1;
      const now = Date.now();
      if (now - lastWarning >= warningIntervalMs) {
        logger.warn(
          { peer, ignoredRequests: ignored, trustProxy: mode },
          'X-Forwarded-For ignored: the peer is not a trusted proxy (if a load balancer or Cloudflare is in front, set TRUST_PROXY)',
        );
        lastWarning = now;
        ignored = 0;
      }
    }
    next();
  };
}
