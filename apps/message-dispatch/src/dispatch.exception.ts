import { DomainException } from '@zapgate/platform';

export const DispatchErrorCodes = {
  TargetNotFound: 'target_not_found',
  NotAMember: 'not_a_member',
  TargetExists: 'target_exists',
  SubscriptionNotFound: 'subscription_not_found',
  DeliveryNotFound: 'delivery_not_found',
  OutboundUrlRefused: 'outbound_url_refused',
  NoSigningSecret: 'no_signing_secret',
  ApplicationNotFound: 'application_not_found',
} as const;
export type DispatchErrorCode = (typeof DispatchErrorCodes)[keyof typeof DispatchErrorCodes];

const STATUS: Record<DispatchErrorCode, number> = {
  target_not_found: 404,
  not_a_member: 403,
  target_exists: 409,
  subscription_not_found: 404,
  delivery_not_found: 404,
  outbound_url_refused: 400,
  no_signing_secret: 409,
  application_not_found: 404,
};

export class DispatchException extends DomainException<DispatchErrorCode> {
  get httpStatus(): number {
    return STATUS[this.code];
  }

  static targetNotFound(): DispatchException {
    return new DispatchException(DispatchErrorCodes.TargetNotFound, 'No such channel, chat or bot.');
  }

  static notAMember(): DispatchException {
    return new DispatchException(DispatchErrorCodes.NotAMember, 'Your user is not a member of this channel, chat or bot.');
  }
}
