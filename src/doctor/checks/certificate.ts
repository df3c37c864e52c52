import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { fail, pass, warn, type CheckResult } from '../report.ts';

const day = 24 * 60 * 60 * 1000;
export const renewalWarningDays = 21;

const describe = (certificate: X509Certificate) => certificate.subject.replace(/\n/g, ', ') || certificate.subjectAltName || 'a certificate';
const isoDate = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The certificates the server presented, leaf first, up to the anchor OpenSSL found (if any). */
export function chainOf(leaf: X509Certificate): X509Certificate[] {
  const chain = [leaf];
  let current = leaf;
  while (current.issuerCertificate && current.issuerCertificate.fingerprint256 !== current.fingerprint256 && chain.length < 10) {
    current = current.issuerCertificate;
    chain.push(current);
  }
  return chain;
}

/** Dates of every certificate in the chain: the first to expire decides. Expired is a fail of its own. */
export function judgeValidity(chain: X509Certificate[], now: Date): CheckResult {
  const fix = 'renew the certificate: request or import a new one in ACM and select it on the HTTPS listener (CertificateArn)';
  const notYet = chain.find((certificate) => new Date(certificate.validFrom) > now);
  if (notYet) {
    return fail('tls.validity', `the certificate ${describe(notYet)} is not valid before ${isoDate(new Date(notYet.validFrom))}: browsers refuse every request`, `${fix}; check this machine's clock`);
  }
  const [first] = [...chain].sort((a, b) => new Date(a.validTo).getTime() - new Date(b.validTo).getTime());
  if (!first) return fail('tls.validity', 'the server presented no certificate', fix);
  const validTo = new Date(first.validTo);
  // Whole days, as people count them: 3 days and 2 hours ago is "3 days ago", 9 days and 23 hours left is 9.
  const daysLeft = Math.floor((validTo.getTime() - now.getTime()) / day);
  const daysAgo = Math.floor((now.getTime() - validTo.getTime()) / day);
  const which = first === chain[0] ? 'the certificate' : `the chain's certificate ${describe(first)}`;
  if (validTo <= now) {
    return fail('tls.validity', `${which} EXPIRED on ${isoDate(validTo)} (${daysAgo} day${daysAgo === 1 ? '' : 's'} ago): browsers refuse every request`, fix);
  }
  const until = `valid until ${isoDate(validTo)} (${daysLeft} days left)`;
  if (daysLeft < renewalWarningDays) return warn('tls.validity', `${which} is ${until}`, fix);
  return pass('tls.validity', until);
}

/** The same check browsers make: the host must be among the certificate's names. */
export function judgeHostname(hostname: string, peer: PeerCertificate): CheckResult {
  const names = peer.subjectaltname ?? `CN=${String(peer.subject?.CN ?? '?')}`;
  const problem = checkServerIdentity(hostname, peer);
  if (problem) {
    return fail(
      'tls.hostname',
      `the certificate is for ${names}, not ${hostname}: browsers refuse every request`,
      `serve a certificate whose names cover ${hostname} (ACM: request one for it, or a wildcard of its parent domain)`,
    );
  }
  return pass('tls.hostname', `${hostname} matches ${names}`);
}

const signedBy = (certificate: X509Certificate, issuer: X509Certificate) => certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);

/**
 * Every certificate must be signed by the next, and the last must be, or be signed by, a trusted anchor.
 * Walked here rather than read from OpenSSL's single error code, which names only one problem (an expired
 * leaf hides a broken chain).
 */
export function judgeChain(chain: X509Certificate[], anchors: X509Certificate[]): CheckResult {
  const broken = chain.findIndex((certificate, index) => index + 1 < chain.length && !signedBy(certificate, chain[index + 1]!));
  if (broken >= 0) {
    return fail('tls.chain', `${describe(chain[broken]!)} is not signed by the next certificate the server sent`, 'serve the certificate with its own intermediate chain (ACM does this for you)');
  }
  const last = chain[chain.length - 1]!;
  const anchor = anchors.find((candidate) => candidate.fingerprint256 === last.fingerprint256 || signedBy(last, candidate));
  const depth = `${chain.length} certificate${chain.length === 1 ? '' : 's'}`;
  if (anchor) return pass('tls.chain', `${depth}, trusted through ${describe(anchor)}`);
  const selfSigned = signedBy(last, last);
  return fail(
    'tls.chain',
    selfSigned
      ? `${depth} ending in the self-signed ${describe(last)}, which is not a trusted root`
      : `${depth}: ${describe(last)} was issued by ${last.issuer.replace(/\n/g, ', ')}, which the server does not send and this machine does not trust`,
    selfSigned
      ? 'use a certificate from a public CA (ACM), or pass --ca <file> if this private CA is intended'
      : 'serve the intermediate certificate(s) with the leaf (ACM does this for you), or pass --ca <file> for a private CA',
  );
}

/** Splits PEM bundles into certificates; anything unparsable is ignored (Node's own roots always parse). */
export function parseAnchors(pems: string[]): X509Certificate[] {
  const blocks = pems.flatMap((pem) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []);
  return blocks.flatMap((block) => {
    try {
      return [new X509Certificate(block)];
    } catch {
      return [];
    }
  });
}
