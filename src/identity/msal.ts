/**
 * msal-node construction. One ConfidentialClientApplication per user (its cache is that user's partition),
 * all sharing one authority configuration. Against an authority msal does not know (knownAuthority) its
 * metadata is given up front, and a certificate it is signed with can be trusted (caPem) through a small
 * https client; against Entra ID msal's own network client (global fetch) is used.
 */
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import {
  ConfidentialClientApplication,
  LogLevel,
  type Configuration,
  type ICachePlugin,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import type { Logger } from '../logging/logger';

export interface AuthoritySettings {
  clientId: string;
  clientSecret: string;
  /** e.g. https://login.microsoftonline.com/{tenant} */
  authority: string;
  /** For a non-Microsoft host: its host:port and OpenID metadata, so msal does no instance discovery. */
  knownAuthority?: { host: string; metadata: Record<string, unknown> };
  /** PEM of a certificate to trust in addition to the system's (an authority with a private CA). */
  caPem?: string;
}

/** An msal network client over node:https that trusts an extra CA; msal's default uses global fetch. */
export class TrustingNetworkClient implements INetworkModule {
  constructor(private readonly ca: string) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private send<T>(method: string, url: string, options?: NetworkRequestOptions, timeout = 30_000): Promise<NetworkResponse<T>> {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(u, { method, headers: options?.headers, ca: this.ca, timeout }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            body = { error: 'invalid_json', error_description: text.slice(0, 200) };
          }
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
          resolve({ status: res.statusCode ?? 0, headers, body: body as T });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      if (options?.body) req.write(options.body);
      req.end();
    });
  }
}

export function createMsalApp(s: AuthoritySettings, cachePlugin: ICachePlugin | undefined, logger: Logger): ConfidentialClientApplication {
  const config: Configuration = {
    auth: {
      clientId: s.clientId,
      clientSecret: s.clientSecret,
      authority: s.authority,
      ...(s.knownAuthority
        ? { knownAuthorities: [s.knownAuthority.host], authorityMetadata: JSON.stringify(s.knownAuthority.metadata) }
        : {}),
    },
    ...(cachePlugin ? { cache: { cachePlugin } } : {}),
    system: {
      ...(s.caPem ? { networkClient: new TrustingNetworkClient(s.caPem) } : {}),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (level, message, containsPii) => {
          if (containsPii) return;
          if (level === LogLevel.Error) logger.error({ msal: message }, 'msal');
          else if (level === LogLevel.Warning) logger.warn({ msal: message }, 'msal');
        },
      },
    },
  };
  return new ConfidentialClientApplication(config);
}
