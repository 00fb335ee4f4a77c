/**
 * The one registry of NATS subjects. Event subjects follow
 * `<domain>.<entity>.<past-tense-verb>.v<N>`; request/reply subjects are
 * `<domain>.<entity>.<verb>.v<N>`. A breaking change is a new `.vN` subject
 * published beside the old one until every consumer has moved.
 */
export const Subjects = {
  /** webhook-ingest, once an accepted post is durably in the WEBHOOKS stream. */
  WebhookReceived: 'zapgate.webhook.received.v1',
  /** token-service, when a token is revoked (deleted, rotated without grace, or its user deactivated). */
  TokenRevoked: 'zapgate.token.revoked.v1',
  /** token-service, when an operator deactivates a user; every token of theirs stops working. */
  UserDeactivated: 'zapgate.user.deactivated.v1',
} as const;

export type EventSubject = (typeof Subjects)[keyof typeof Subjects];

export const RpcSubjects = {
  /** token-service answers: is this presented token valid, and whose is it? */
  TokensVerify: 'zapgate.tokens.verify.v1',
  /** token-service answers: does this appkey belong to this application? */
  ApplicationsVerify: 'zapgate.applications.verify.v1',
} as const;

export type RpcSubject = (typeof RpcSubjects)[keyof typeof RpcSubjects];

/** JetStream streams and the event subjects each one captures. */
export const Streams = {
  Webhooks: { name: 'ZAPGATE_WEBHOOKS', subjects: ['zapgate.webhook.>'] },
  Tokens: { name: 'ZAPGATE_TOKENS', subjects: ['zapgate.token.>', 'zapgate.user.>'] },
} as const;

export type StreamName = (typeof Streams)[keyof typeof Streams]['name'];

/** Durable consumer names: one per consuming service and purpose. */
export const Consumers = {
  DispatchWebhooks: 'message-dispatch-webhooks',
  IngestEventLog: 'webhook-ingest-event-log',
} as const;
