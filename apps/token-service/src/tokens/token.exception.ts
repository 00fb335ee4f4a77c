import { DomainException } from '@zapgate/platform';

export const TokenErrorCodes = {
  UserNotFound: 'user_not_found',
  UserInactive: 'user_inactive',
  EmailTaken: 'email_taken',
  TooManyTokens: 'EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS',
  TokenNotFound: 'token_not_found',
  TokenInactive: 'token_inactive',
  ApplicationNotFound: 'application_not_found',
  InvalidAppkey: 'invalid_appkey',
  /** Managing an application (or minting its users' tokens) takes its owner key, not the appkey its users see. */
  OwnerKeyRequired: 'owner_key_required',
  InvalidLink: 'invalid_link',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  NotConfirmed: 'ACCOUNT_REGISTRATION_NOT_CONFIRMED',
  TooManySignInAttempts: 'too_many_signin_attempts',
  SessionRequired: 'session_required',
} as const;
export type TokenErrorCode = (typeof TokenErrorCodes)[keyof typeof TokenErrorCodes];

const STATUS: Record<TokenErrorCode, number> = {
  user_not_found: 404,
  user_inactive: 403,
  email_taken: 409,
  EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS: 409,
  token_not_found: 404,
  token_inactive: 409,
  application_not_found: 404,
  invalid_appkey: 401,
  owner_key_required: 401,
  invalid_link: 401,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_REGISTRATION_NOT_CONFIRMED: 403,
  too_many_signin_attempts: 429,
  session_required: 401,
};

export class TokenException extends DomainException<TokenErrorCode> {
  get httpStatus(): number {
    return STATUS[this.code];
  }

  static retryAfter(seconds: number): TokenException {
    const e = new TokenException(TokenErrorCodes.TooManySignInAttempts, 'Too many failed sign-in attempts; try again later.');
    e.headers['retry-after'] = String(Math.max(1, Math.ceil(seconds)));
    return e;
  }
}
