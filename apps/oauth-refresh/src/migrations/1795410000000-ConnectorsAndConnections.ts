import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Connectors (an OAuth client at a provider), pending authorizations (state
 * and PKCE verifier, single use) and connections (one user's tokens). Every
 * secret column holds SecretBox output; `generation` fences refresh writes.
 */
export class ConnectorsAndConnections1795410000000 implements MigrationInterface {
  name = 'ConnectorsAndConnections1795410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "oauth"."connector" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid,
        name text NOT NULL,
        preset text NOT NULL CHECK (preset IN ('generic', 'zoho')),
        client_id text NOT NULL,
        client_secret_sealed text NOT NULL,
        authorization_url text NOT NULL,
        token_url text NOT NULL,
        refresh_url text NOT NULL,
        revoke_url text,
        scopes text[] NOT NULL DEFAULT '{}',
        access_type text NOT NULL DEFAULT 'offline' CHECK (access_type IN ('online', 'offline')),
        redirect_url text NOT NULL,
        extra_params jsonb NOT NULL DEFAULT '{}',
        accounts_servers jsonb NOT NULL DEFAULT '{}',
        refresh_budget integer,
        refresh_budget_window_seconds integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX connector_app_idx ON "oauth"."connector" (app_id)`);
    await q.query(`
      CREATE TABLE "oauth"."auth_state" (
        id uuid PRIMARY KEY,
        connector_id uuid NOT NULL REFERENCES "oauth"."connector"(id) ON DELETE CASCADE,
        user_ref text NOT NULL,
        code_verifier_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE "oauth"."connection" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        connector_id uuid NOT NULL REFERENCES "oauth"."connector"(id) ON DELETE CASCADE,
        user_ref text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'reauth_required', 'revoked')),
        access_token_sealed text,
        refresh_token_sealed text,
        token_type text NOT NULL DEFAULT 'Bearer',
        scope text,
        expires_at timestamptz,
        api_domain text,
        token_host text,
        generation integer NOT NULL DEFAULT 1,
        refresh_at timestamptz,
        lease_token uuid,
        lease_until timestamptz,
        failures integer NOT NULL DEFAULT 0,
        last_error jsonb,
        last_refreshed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (connector_id, user_ref)
      )`);
    await q.query(`CREATE INDEX connection_due_idx ON "oauth"."connection" (refresh_at) WHERE status = 'active' AND refresh_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE "oauth"."refresh_call" (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        connection_id uuid NOT NULL REFERENCES "oauth"."connection"(id) ON DELETE CASCADE,
        refresh_token_fp text NOT NULL,
        called_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refresh_call_fp_idx ON "oauth"."refresh_call" (refresh_token_fp, called_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "oauth"."refresh_call"`);
    await q.query(`DROP TABLE "oauth"."connection"`);
    await q.query(`DROP TABLE "oauth"."auth_state"`);
    await q.query(`DROP TABLE "oauth"."connector"`);
  }
}
