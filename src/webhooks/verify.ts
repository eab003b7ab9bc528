/**
 * Verifies a Partner Center webhook callback as "Partner Center webhooks" describes it, before anything is
 * done with its body: the headers `Authorization: Signature <base64>` (or `x-ms-signature`, when the
 * registration set SignatureTokenToMsSignatureHeader), `X-MS-Certificate-Url` and
 * `X-MS-Signature-Algorithm: rsa-sha256`; the certificate downloaded from that URL; its chain to a trusted
 * root; its organization Microsoft Corporation; then RSA-SHA256 over the body's raw bytes.
 *
 * The URL comes from a request nobody has verified yet, so it is fetched only when it is https on an
 * allow-listed host (the pages name no host: the list is this product's decision), with a timeout and a
 * size cap; what was fetched and chained is cached by URL, so a burst of events costs one download.
 */
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Clock } from '../util/clock';
import { MICROSOFT_ROOTS } from './microsoft-roots';

/** Why a callback was refused: for the log only (the caller hears 401 whatever it is). */
export type Refusal = 'headers' | 'algorithm' | 'url' | 'fetch' | 'chain' | 'organization' | 'signature';

export interface SignedHeaders {
  signature: Buffer;
  certificateUrl: URL;
}

export interface VerifierOptions {
  /** Hosts the certificate may be fetched from (exact host names, lower case). */
  allowedHosts: readonly string[];
  /** PEM text of roots trusted besides Microsoft's (tests, sovereign clouds). */
  extraRoots?: string;
  clock: Clock;
  fetchTimeoutMs?: number;
  maxCertificateBytes?: number;
  cacheTtlMs?: number;
  /**
   * CAs for the TLS connection to the certificate host, when not the public ones (the sandbox's https host).
   * Trust in the downloaded certificate never comes from here.
   */
  tlsCa?: readonly string[];
  /** Hosts an issuer certificate (Authority Information Access) may be fetched from, besides `allowedHosts`. */
  issuerHosts?: readonly string[];
  /** Where plain-http issuer downloads connect (the sandbox's; default: the URL's host). */
  issuerAgent?: http.Agent;
}

/** The organization the page's sample requires of the signing certificate. */
const ORGANIZATION = 'O=Microsoft Corporation';
const MAX_CHAIN = 6;
const MAX_CACHED = 32;

/**
 * Where Microsoft's and DigiCert's issuing CAs publish their certificates (the AIA locations on "Azure
 * Certificate Authority details"): the page's sample builds the chain with .NET's X509Chain, which fetches a
 * missing issuer from the certificate's Authority Information Access, so the `.cer` may hold the leaf alone.
 */
export const ISSUER_HOSTS: readonly string[] = ['www.microsoft.com', 'caissuers.microsoft.com', 'cacerts.digicert.com'];
/** Issuers fetched for one certificate, at most (leaf → intermediate → intermediate under a root). */
const MAX_ISSUER_FETCHES = 2;

/** Every certificate in a PEM bundle, or the one DER certificate a `.cer` file holds. */
export function parseCertificates(data: Buffer): X509Certificate[] {
  const text = data.toString('latin1');
  const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (pems) return pems.map((p) => new X509Certificate(p));
  return [new X509Certificate(data)];
}

export class WebhookVerifier {
  private readonly roots: X509Certificate[];
  private readonly cache = new Map<string, { leaf: X509Certificate; until: number }>();
  private readonly inFlight = new Map<string, Promise<X509Certificate | Refusal>>();
  private readonly hosts: Set<string>;
  private readonly issuerHosts: Set<string>;

  constructor(private readonly o: VerifierOptions) {
    this.roots = [...MICROSOFT_ROOTS.map((r) => new X509Certificate(r.pem)), ...(o.extraRoots ? parseCertificates(Buffer.from(o.extraRoots)) : [])];
    this.hosts = new Set(o.allowedHosts.map((h) => h.toLowerCase()));
    this.issuerHosts = new Set([...(o.issuerHosts ?? ISSUER_HOSTS), ...o.allowedHosts].map((h) => h.toLowerCase()));
  }

  /** The three headers, read before the body is: undefined when one is missing or malformed. */
  static headers(h: http.IncomingHttpHeaders): SignedHeaders | Refusal {
    const one = (name: string) => (Array.isArray(h[name]) ? undefined : (h[name] as string | undefined)?.trim());
    const auth = one('authorization');
    const ms = one('x-ms-signature');
    const given = ms || (auth && /^Signature\s+/i.test(auth) ? auth.replace(/^Signature\s+/i, '') : undefined);
    const url = one('x-ms-certificate-url');
    const algorithm = one('x-ms-signature-algorithm');
    if (!given || !url || !algorithm) return 'headers';
    if (algorithm.toLowerCase() !== 'rsa-sha256') return 'algorithm';
    if (given.length > 4096 || !/^[A-Za-z0-9+/]+={0,2}$/.test(given)) return 'headers';
    let certificateUrl: URL;
    try {
      certificateUrl = new URL(url);
    } catch {
      return 'url';
    }
    return { signature: Buffer.from(given, 'base64'), certificateUrl };
  }

  /** Whether the URL may be fetched at all: https, an allow-listed host, no credentials in it. */
  allows(url: URL): boolean {
    return url.protocol === 'https:' && this.hosts.has(url.hostname.toLowerCase()) && !url.username && !url.password;
  }

  /** Verifies the callback; nothing is fetched unless the URL is allowed. */
  async verify(h: SignedHeaders, body: Buffer): Promise<{ ok: true } | { ok: false; refused: Refusal }> {
    if (!this.allows(h.certificateUrl)) return { ok: false, refused: 'url' };
    const leaf = await this.certificate(h.certificateUrl.href);
    if (typeof leaf === 'string') return { ok: false, refused: leaf };
    let valid = false;
    try {
      valid = leaf.publicKey.asymmetricKeyType === 'rsa' && verifySignature('sha256', body, leaf.publicKey, h.signature);
    } catch {
      valid = false;
    }
    return valid ? { ok: true } : { ok: false, refused: 'signature' };
  }

  /** The verified signing certificate at `url`: from the cache, or downloaded and checked once. */
  private certificate(url: string): Promise<X509Certificate | Refusal> {
    const now = this.o.clock.now();
    const hit = this.cache.get(url);
    if (hit && hit.until > now && this.inValidity(hit.leaf, now)) return Promise.resolve(hit.leaf);
    this.cache.delete(url);
    let pending = this.inFlight.get(url);
    if (!pending) {
      pending = this.download(url)
        .then(async (data) => {
          const r = await this.check(data);
          if (typeof r !== 'string') {
            if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
            this.cache.set(url, { leaf: r, until: this.o.clock.now() + (this.o.cacheTtlMs ?? 60 * 60_000) });
          }
          return r;
        })
        .catch((): Refusal => 'fetch')
        .finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, pending);
    }
    return pending;
  }

  /** The leaf (first certificate), once it chains to a trusted root and names Microsoft Corporation. */
  private async check(data: Buffer): Promise<X509Certificate | Refusal> {
    let certs: X509Certificate[];
    try {
      certs = parseCertificates(data);
    } catch {
      return 'fetch';
    }
    const leaf = certs[0]!;
    const intermediates = certs.slice(1);
    let chained = this.chains(leaf, intermediates);
    // A missing issuer is fetched from where the certificate says (AIA), on an allowed host only: what comes
    // back is trusted only if it verifies up to a trusted root, so plain http is as safe as https here.
    for (let c = leaf, n = 0; !chained && n < MAX_ISSUER_FETCHES; n++) {
      const url = this.issuerUrl(c);
      const issuer = url ? await this.download(url).then((d) => parseCertificates(d)[0]).catch(() => undefined) : undefined;
      if (!issuer) break;
      intermediates.push(issuer);
      chained = this.chains(leaf, intermediates);
      c = issuer;
    }
    if (!chained) return 'chain';
    if (!leaf.subject.split('\n').includes(ORGANIZATION)) return 'organization';
    return leaf;
  }

  /** Issuer by issuer, through the intermediates the file carries, to a trusted root; every link in its validity. */
  private chains(leaf: X509Certificate, intermediates: X509Certificate[]): boolean {
    const now = this.o.clock.now();
    const signedBy = (c: X509Certificate, issuer: X509Certificate) => {
      try {
        return c.checkIssued(issuer) && c.verify(issuer.publicKey) && this.inValidity(issuer, now);
      } catch {
        return false;
      }
    };
    let current = leaf;
    if (!this.inValidity(leaf, now)) return false;
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      if (this.roots.some((r) => signedBy(current, r))) return true;
      const next = intermediates.find((i) => i.ca && i !== current && signedBy(current, i));
      if (!next) return false;
      current = next;
    }
    return false;
  }

  /** The certificate's "CA Issuers" URL, when it is http(s) on an allowed issuer host. */
  private issuerUrl(c: X509Certificate): string | undefined {
    const m = /CA Issuers - URI:(\S+)/.exec(c.infoAccess ?? '');
    let url: URL;
    try {
      url = new URL(m?.[1] ?? '');
    } catch {
      return undefined;
    }
    const ok = (url.protocol === 'http:' || url.protocol === 'https:') && this.issuerHosts.has(url.hostname.toLowerCase()) && !url.username && !url.password;
    return ok ? url.href : undefined;
  }

  private inValidity(c: X509Certificate, now: number): boolean {
    return Date.parse(c.validFrom) <= now && now <= Date.parse(c.validTo);
  }

  /** GET over https with a deadline and a size cap; redirects are not followed (they could leave the allow-list). */
  private download(url: string): Promise<Buffer> {
    const max = this.o.maxCertificateBytes ?? 64 * 1024;
    const ca = this.o.tlsCa ? [...rootCertificates, ...this.o.tlsCa] : undefined;
    const timeoutMs = this.o.fetchTimeoutMs ?? 5_000;
    return new Promise<Buffer>((resolve, reject) => {
      // The whole download, not only each idle gap, must finish in time: a slow trickle is cut too.
      const timer = setTimeout(() => req.destroy(new Error('certificate download timed out')), timeoutMs);
      timer.unref();
      const done = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        f(v);
      };
      resolve = done(resolve);
      reject = done(reject);
      const onResponse = (res: http.IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`certificate download answered ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > max) {
            req.destroy(new Error('certificate too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      };
      const req = url.startsWith('https:')
        ? https.get(url, { timeout: timeoutMs, ...(ca ? { ca } : {}) }, onResponse)
        : http.get(url, { timeout: timeoutMs, ...(this.o.issuerAgent ? { agent: this.o.issuerAgent } : {}) }, onResponse);
      req.on('timeout', () => req.destroy(new Error('certificate download timed out')));
      req.on('error', reject);
    });
  }
}
