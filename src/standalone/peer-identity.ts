// Who a certificate says its holder is: the DNS names of its subjectAltName, or else its CN. A
// member's Raft id must be among them; that is the whole of peer identity (docs/security.md).
import type { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

/** Names from a subjectAltName string as Node renders it: `DNS:2, IP Address:10.0.0.2`. */
function dnsNames(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  return subjectAltName
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('DNS:'))
    .map((part) => part.slice(4));
}

/** The CN of a subject as X509Certificate renders it (one `CN=...` line). */
function commonNameOfText(subject: string): string[] {
  return subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3));
}

/** The names a certificate gives its holder: DNS SANs when it has any (as for TLS host names), else the CN. */
export function certificateNames(cert: X509Certificate): string[] {
  const sans = dnsNames(cert.subjectAltName);
  return sans.length > 0 ? sans : commonNameOfText(cert.subject);
}

/** The same for the certificate a TLS peer presented (tls.TLSSocket#getPeerCertificate()). */
export function peerCertificateNames(cert: PeerCertificate): string[] {
  const sans = dnsNames(cert.subjectaltname);
  if (sans.length > 0) return sans;
  const cn = cert.subject?.CN as string | string[] | undefined;
  if (cn === undefined) return [];
  return Array.isArray(cn) ? cn : [cn];
}

/** For log lines: who a certificate names, or that it names no one. */
export function describeNames(names: readonly string[]): string {
  return names.length === 0 ? 'no name' : names.map((n) => `"${n}"`).join(', ');
}
