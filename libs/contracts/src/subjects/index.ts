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
  /** every token verifier (ingest, dispatch, oauth): uses it answered from its cache, for token-service's usage counts. */
  TokenUsed: 'zapgate.token.used.v1',
  /** token-service, when an operator deactivates a user; every token of theirs stops working. */
  UserDeactivated: 'zapgate.user.deactivated.v1',
  /**
   * token-service, when an operator erases a user: every service deletes what
   * it holds of theirs (events, messages, memberships, subscriptions,
   * connections). Published before token-service deletes the user itself.
   */
  UserErased: 'zapgate.user.erased.v1',
  /** token-service, when an application's appkey is rotated or its settings change; appkey caches drop it. */
  ApplicationChanged: 'zapgate.application.changed.v1',
  /** message-dispatch, once an event has been turned into messages (or could not be): ingest records it on the event. */
  WebhookProcessed: 'zapgate.webhook.processed.v1',
  /**
   * message-dispatch, after a message is stored. A core-NATS broadcast, not in
   * any stream: it only wakes live (SSE) readers on every replica, who then
   * read the store, so a missed broadcast delays a reader and loses nothing.
   */
  MessageStored: 'zapgate.message.stored.v1',
  /** oauth-refresh, after a connection's access token was refreshed (never carries a token). */
  OAuthTokenRefreshed: 'zapgate.oauth.token.refreshed.v1',
  /** oauth-refresh, when a connection needs its user to authorize again (invalid_grant, revoked). */
  OAuthConnectionFailed: 'zapgate.oauth.connection.failed.v1',
  /** token-service, when a named operator key is revoked: every service drops its cached answer at once. */
  OperatorKeyRevoked: 'zapgate.operator.key.revoked.v1',
} as const;

export type EventSubject = (typeof Subjects)[keyof typeof Subjects];

export const RpcSubjects = {
  /** token-service answers: is this presented token valid, and whose is it? */
  TokensVerify: 'zapgate.tokens.verify.v1',
  /** token-service answers: does this appkey belong to this application? */
  ApplicationsVerify: 'zapgate.applications.verify.v1',
  /** token-service answers: does this owner key belong to this application? (managing it, never its webhook URLs) */
  ApplicationsVerifyOwner: 'zapgate.applications.owner.verify.v1',
  /** token-service answers: an application's public settings (handler URLs), by id; no appkey needed. */
  ApplicationsGet: 'zapgate.applications.get.v1',
  /** token-service answers: a user's profile (the `user` object of Cliq handler payloads). */
  UsersGet: 'zapgate.users.get.v1',
  /** oauth-refresh answers: a valid access token for a connection, refreshed on the spot if needed. */
  OAuthTokenGet: 'zapgate.oauth.token.get.v1',
  /** token-service answers: is this a live named operator key, and with which role? */
  OperatorsVerify: 'zapgate.operators.verify.v1',
} as const;

export type RpcSubject = (typeof RpcSubjects)[keyof typeof RpcSubjects];

/** JetStream streams and the event subjects each one captures. */
export const Streams = {
  Webhooks: { name: 'ZAPGATE_WEBHOOKS', subjects: ['zapgate.webhook.>'] },
  Tokens: { name: 'ZAPGATE_TOKENS', subjects: ['zapgate.token.>', 'zapgate.user.>', 'zapgate.application.>', 'zapgate.operator.>'] },
  // Named narrowly: request/reply subjects such as zapgate.oauth.token.get.v1 share the prefix and must not be captured.
  OAuth: { name: 'ZAPGATE_OAUTH', subjects: ['zapgate.oauth.token.refreshed.*', 'zapgate.oauth.connection.failed.*'] },
} as const;

export type StreamName = (typeof Streams)[keyof typeof Streams]['name'];

/** Durable consumer names: one per consuming service and purpose. */
export const Consumers = {
  DispatchWebhooks: 'message-dispatch-webhooks',
  IngestEventLog: 'webhook-ingest-event-log',
  IngestEventStatus: 'webhook-ingest-event-status',
  TokenUsage: 'token-service-usage',
  IngestUserErasure: 'webhook-ingest-user-erasure',
  DispatchUserErasure: 'message-dispatch-user-erasure',
  OAuthUserErasure: 'oauth-refresh-user-erasure',
  /** message-dispatch turns other services' events into operational webhooks, one consumer per subject (NATS 2.9 filters one). */
  DispatchOpsTokenRevoked: 'message-dispatch-ops-token-revoked',
  DispatchOpsUserDeactivated: 'message-dispatch-ops-user-deactivated',
  DispatchOpsConnectionFailed: 'message-dispatch-ops-connection-failed',
} as const;
