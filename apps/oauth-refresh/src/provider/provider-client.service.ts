import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, OutboundFailure, postOutbound, SsrfGuard } from '@zapgate/platform';
import type { ConnectorRow } from '../connectors/connectors.service';
import { ConnectorsService } from '../connectors/connectors.service';
import { OAuthMetrics } from '../metrics/oauth-metrics';
import type { OAuthConfig } from '../oauth-config.schema';

export interface TokenAnswer {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string;
  expiresIn: number | null;
  scope: string | null;
  apiDomain: string | null;
}

/**
 * How a provider call failed, which decides what happens next:
 * `reauth` — the grant is gone (invalid_grant; Zoho's invalid_code), only the user can fix it;
 * `throttled` — back off (429; Zoho's HTTP 200 "Access Denied");
 * `transient` — 5xx, timeouts, connection errors: try again later;
 * `rejected` — any other refusal (invalid_client…): an operator must look.
 */
export class ProviderError extends Error {
  constructor(
    readonly kind: 'reauth' | 'throttled' | 'transient' | 'rejected',
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const REAUTH_CODES = new Set(['invalid_grant', 'invalid_code', 'invalid_token', 'unauthorized_client']);

/** Token endpoint calls (RFC 6749 §4.1.3, §6; RFC 7009) with the provider quirks the presets know about. */
@Injectable()
export class ProviderClient {
  private readonly guard: SsrfGuard;

  constructor(
    private readonly connectors: ConnectorsService,
    private readonly metrics: OAuthMetrics,
    @Inject(APP_CONFIG) private readonly config: OAuthConfig,
  ) {
    this.guard = new SsrfGuard(config.OUTBOUND_ALLOWED_CIDRS);
  }

  exchangeCode(connector: ConnectorRow, code: string, codeVerifier: string, tokenHost: string | null): Promise<TokenAnswer> {
    return this.tokenCall(connector, 'code', this.endpoint(connector, connector.token_url, tokenHost), {
      grant_type: 'authorization_code',
      code,
      redirect_uri: connector.redirect_url,
      code_verifier: codeVerifier,
    });
  }

  refresh(connector: ConnectorRow, refreshToken: string, tokenHost: string | null): Promise<TokenAnswer> {
    return this.tokenCall(connector, 'refresh', this.endpoint(connector, connector.refresh_url, tokenHost), {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  }

  /** RFC 7009 revocation; Zoho takes the token as a query parameter and answers {"status":"success"}. */
  async revoke(connector: ConnectorRow, token: string, hint: 'refresh_token' | 'access_token', tokenHost: string | null): Promise<void> {
    if (!connector.revoke_url) return;
    const url = new URL(this.endpoint(connector, connector.revoke_url, tokenHost));
    const form = new URLSearchParams({ token, token_type_hint: hint, client_id: connector.client_id, client_secret: this.connectors.clientSecret(connector) });
    if (connector.preset === 'zoho') url.searchParams.set('token', token);
    const res = await this.post(connector, 'revoke', url, form);
    // RFC 7009 §2.2: an unknown or already invalid token is answered 200 too; Zoho answers 400 for it, which means it is gone.
    if (res.status >= 500) throw new ProviderError('transient', 'revoke_failed', `revocation endpoint answered ${res.status}`, res.status);
  }

  /** Zoho: the token call goes to the user's data centre, which the callback named; generic: the URL as registered. */
  private endpoint(connector: ConnectorRow, registered: string, tokenHost: string | null): string {
    if (connector.preset !== 'zoho' || !tokenHost) return registered;
    const path = new URL(registered).pathname;
    return new URL(path, tokenHost).toString();
  }

  private async tokenCall(connector: ConnectorRow, endpoint: 'code' | 'refresh', url: string, params: Record<string, string>): Promise<TokenAnswer> {
    const form = new URLSearchParams({ ...params, client_id: connector.client_id, client_secret: this.connectors.clientSecret(connector) });
    const res = await this.post(connector, endpoint, new URL(url), form);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(res.body) as Record<string, unknown>;
    } catch {
      if (res.status >= 200 && res.status < 300) throw new ProviderError('transient', 'invalid_answer', 'the token endpoint did not answer JSON', res.status);
    }
    const error = typeof body.error === 'string' ? body.error : undefined;
    const description = typeof body.error_description === 'string' ? body.error_description.slice(0, 300) : '';
    // Zoho answers some failures with HTTP 200 and an `error` field: an error all the same.
    if (error || res.status < 200 || res.status >= 300) throw classify(res.status, error ?? `http_${res.status}`, description);
    if (typeof body.access_token !== 'string' || !body.access_token)
      throw new ProviderError('transient', 'invalid_answer', 'the token answer has no access_token', res.status);
    const expiresIn = Number(body.expires_in ?? body.expires_in_sec);
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
      tokenType: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
      expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : null,
      scope: typeof body.scope === 'string' ? body.scope : null,
      apiDomain: typeof body.api_domain === 'string' ? body.api_domain : null,
    };
  }

  private async post(connector: ConnectorRow, endpoint: string, url: URL, form: URLSearchParams) {
    const stop = this.metrics.providerSeconds.startTimer({ preset: connector.preset, endpoint });
    try {
      return await postOutbound(this.guard, {
        url,
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        timeoutMs: this.config.PROVIDER_TIMEOUT_MS,
      });
    } catch (err) {
      if (err instanceof OutboundFailure) {
        throw new ProviderError(err.code === 'refused_address' ? 'rejected' : 'transient', `provider_${err.code}`, err.message);
      }
      throw err;
    } finally {
      stop();
    }
  }
}

export function classify(status: number, code: string, description: string): ProviderError {
  const message = description ? `${code}: ${description}` : code;
  if (REAUTH_CODES.has(code)) return new ProviderError('reauth', code, message, status);
  if (status === 429 || /^access.?denied$/i.test(code) || /too many|throttle/i.test(description)) return new ProviderError('throttled', code, message, status);
  if (status >= 500 || status === 408) return new ProviderError('transient', code, message, status);
  return new ProviderError('rejected', code, message, status);
}
