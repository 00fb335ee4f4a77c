/**
 * Every sealed column of the oauth schema and the associated data it is
 * sealed with: a value copied to another row or column fails to open. The
 * services and `npm run oauth:rekey` both read this one list.
 */
export const SEALED_FIELDS = {
  clientSecret: { table: 'connector', column: 'client_secret_sealed', aad: (connectorId: string) => connectorId },
  accessToken: { table: 'connection', column: 'access_token_sealed', aad: (connectionId: string) => `${connectionId}:access` },
  refreshToken: { table: 'connection', column: 'refresh_token_sealed', aad: (connectionId: string) => `${connectionId}:refresh` },
  codeVerifier: { table: 'auth_state', column: 'code_verifier_sealed', aad: (stateId: string) => stateId },
} as const;
