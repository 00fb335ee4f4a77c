import { DomainException } from '@zapgate/platform';

export const OAuthErrorCodes = {
  ConnectorNotFound: 'connector_not_found',
  ConnectionNotFound: 'connection_not_found',
  InvalidState: 'invalid_state',
  AuthorizationDenied: 'authorization_denied',
  ProviderError: 'provider_error',
  ReauthRequired: 'reauth_required',
  Revoked: 'connection_revoked',
  BudgetExhausted: 'refresh_budget_exhausted',
  ProviderUnavailable: 'provider_unavailable',
  InvalidLink: 'invalid_authorize_link',
} as const;
export type OAuthErrorCode = (typeof OAuthErrorCodes)[keyof typeof OAuthErrorCodes];

const STATUS: Record<OAuthErrorCode, number> = {
  connector_not_found: 404,
  connection_not_found: 404,
  invalid_state: 400,
  authorization_denied: 400,
  provider_error: 502,
  reauth_required: 409,
  connection_revoked: 410,
  refresh_budget_exhausted: 429,
  provider_unavailable: 503,
  invalid_authorize_link: 401,
};

export class OAuthException extends DomainException<OAuthErrorCode> {
  get httpStatus(): number {
    return STATUS[this.code];
  }
}
