import { DomainException } from '@zapgate/platform';

export const TokenErrorCodes = {
  UserNotFound: 'user_not_found',
  UserInactive: 'user_inactive',
  EmailTaken: 'email_taken',
  TooManyTokens: 'EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS',
} as const;
export type TokenErrorCode = (typeof TokenErrorCodes)[keyof typeof TokenErrorCodes];

const STATUS: Record<TokenErrorCode, number> = {
  user_not_found: 404,
  user_inactive: 409,
  email_taken: 409,
  EXCEEDED_MAXIMUM_ALLOWED_AUTHTOKENS: 409,
};

export class TokenException extends DomainException<TokenErrorCode> {
  get httpStatus(): number {
    return STATUS[this.code];
  }
}
