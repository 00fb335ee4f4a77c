import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Streams, Subjects } from '@zapgate/contracts';
import { APP_CONFIG, isDependencyFailure, JetStreamService } from '@zapgate/platform';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConnectionsService, type ConnectionRow } from '../connections/connections.service';
import { ConnectorsService, type ConnectorRow } from '../connectors/connectors.service';
import { OAuthMetrics } from '../metrics/oauth-metrics';
import type { OAuthConfig } from '../oauth-config.schema';
import { OAuthErrorCodes, OAuthException } from '../oauth.exception';
import { ProviderClient, ProviderError, type TokenAnswer } from '../provider/provider-client.service';
import { RefreshJournal } from './refresh-journal.service';

export type Trigger = 'schedule' | 'on_demand' | 'manual';

/** A row as claimed, with the lease it replaced: set only when the refresh before was cut off. */
export type ClaimedRow = ConnectionRow & { abandoned_lease: string | null };

const CONNECTOR_CACHE_MS = 5000;

const fingerprint = (refreshToken: string) => createHash('sha256').update(refreshToken).digest('hex').slice(0, 32);

/**
 * Refreshes a connection's access token exactly once per expiry, across
 * replicas: a caller first takes a lease on the row (an atomic UPDATE; the
 * scheduler claims batches with FOR UPDATE SKIP LOCKED), and the new tokens
 * are written only if the row still has the generation and lease it was
 * claimed with (the fencing check). Within a process, concurrent callers for
 * one connection share one refresh.
 */
@Injectable()
export class RefreshService implements OnApplicationBootstrap {
  private readonly logger = new Logger(RefreshService.name);
  private readonly inFlight = new Map<string, Promise<ConnectionRow>>();
  private readonly connectorCache = new Map<string, { at: number; row: Promise<ConnectorRow> }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly connections: ConnectionsService,
    private readonly connectors: ConnectorsService,
    private readonly provider: ProviderClient,
    private readonly journal: RefreshJournal,
    private readonly jetstream: JetStreamService,
    private readonly metrics: OAuthMetrics,
    @Inject(APP_CONFIG) private readonly config: OAuthConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStream(Streams.OAuth);
  }

  /** A connection with a usable access token: as stored while it has more than the margin left, otherwise refreshed now. */
  async validToken(id: string): Promise<ConnectionRow> {
    const row = await this.connections.row(id);
    assertUsable(row);
    if (this.fresh(row)) return row;
    if (this.backingOff(row)) return this.whileBackingOff(row);
    return this.refresh(id, 'on_demand');
  }

  /**
   * After a failed refresh the next attempt is scheduled (back-off, or the provider's throttle):
   * readers share that attempt instead of calling the provider themselves, which would spend the
   * budget, prolong a throttle and double the back-off once per read.
   */
  private backingOff(row: ConnectionRow): boolean {
    return row.failures > 0 && row.refresh_at !== null && row.refresh_at.getTime() > Date.now();
  }

  private whileBackingOff(row: ConnectionRow): ConnectionRow {
    if (row.expires_at && row.expires_at.getTime() > Date.now()) return row; // still valid: serve it
    const retryIn = Math.max(1, Math.ceil((row.refresh_at!.getTime() - Date.now()) / 1000));
    const refused = new OAuthException(
      OAuthErrorCodes.ProviderUnavailable,
      `The access token expired and the provider did not refresh it (${row.last_error?.code ?? 'error'}); the next attempt is in ${retryIn} s.`,
    );
    refused.headers['retry-after'] = String(retryIn);
    throw refused;
  }

  /** Single-flight per connection within this process. */
  refresh(id: string, trigger: Trigger, force = false): Promise<ConnectionRow> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const job = this.claimAndRefresh(id, trigger, force).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, job);
    return job;
  }

  /** For rows the scheduler claimed in a batch (the lease is already taken). */
  runClaimed(row: ClaimedRow, trigger: Trigger): Promise<ConnectionRow> {
    const job = this.refreshClaimed(row, trigger, false).finally(() => this.inFlight.delete(row.id));
    this.inFlight.set(row.id, job);
    return job;
  }

  /** Connector rows change rarely and every refresh needs one: kept for a few seconds. */
  private connector(id: string): Promise<ConnectorRow> {
    const hit = this.connectorCache.get(id);
    if (hit && Date.now() - hit.at < CONNECTOR_CACHE_MS) return hit.row;
    if (this.connectorCache.size > 1000) this.connectorCache.clear();
    const row = this.connectors.row(id);
    this.connectorCache.set(id, { at: Date.now(), row });
    row.catch(() => this.connectorCache.delete(id));
    return row;
  }

  /** Has more than the margin left (the margin is at most half the token's life). */
  fresh(row: ConnectionRow, now = Date.now()): boolean {
    if (!row.expires_at) return row.access_token_sealed !== null;
    const life = row.last_refreshed_at ? (row.expires_at.getTime() - row.last_refreshed_at.getTime()) / 1000 : this.config.REFRESH_MARGIN_SECONDS * 2;
    const margin = Math.min(this.config.REFRESH_MARGIN_SECONDS, Math.max(1, life / 2)) * 1000;
    return row.expires_at.getTime() - now > margin;
  }

  private async claimAndRefresh(id: string, trigger: Trigger, force: boolean, attempt = 0): Promise<ConnectionRow> {
    const [rows] = (await this.dataSource.query(
      `WITH prev AS (SELECT id, lease_token AS abandoned_lease FROM "oauth"."connection" WHERE id = $1 FOR UPDATE)
       UPDATE "oauth"."connection" c SET lease_token = $2, lease_until = now() + make_interval(secs => $3)
       FROM prev WHERE c.id = prev.id AND c.status = 'active' AND (c.lease_until IS NULL OR c.lease_until < now()) RETURNING c.*, prev.abandoned_lease`,
      [id, randomUUID(), this.config.REFRESH_LEASE_SECONDS],
    )) as [ClaimedRow[], number];
    if (rows[0]) return this.refreshClaimed(rows[0], trigger, force);
    // Someone else holds the lease (another replica is refreshing), or the connection is not active.
    const current = await this.waitForOther(id);
    assertUsable(current);
    if (this.fresh(current) && !force) return current;
    if (attempt >= 1) throw new OAuthException(OAuthErrorCodes.ProviderUnavailable, 'The connection is being refreshed elsewhere; try again shortly.');
    return this.claimAndRefresh(id, trigger, force, attempt + 1);
  }

  private async waitForOther(id: string): Promise<ConnectionRow> {
    const deadline = Date.now() + this.config.PROVIDER_TIMEOUT_MS + 2000;
    let row = await this.connections.row(id);
    const generation = row.generation;
    while (Date.now() < deadline && row.status === 'active' && row.generation === generation && row.lease_until && row.lease_until.getTime() > Date.now()) {
      await new Promise((r) => setTimeout(r, 100));
      row = await this.connections.row(id);
    }
    return row;
  }

  private async refreshClaimed(row: ClaimedRow, trigger: Trigger, force: boolean): Promise<ConnectionRow> {
    const lease = row.lease_token!;
    const connector = await this.connector(row.connector_id);
    // Double-checked: whoever held the row before may have refreshed it already.
    if (!force && trigger !== 'schedule' && this.fresh(row)) return this.release(row, lease);
    const refreshToken = this.connections.refreshToken(row);
    if (!refreshToken) {
      return this.fail(
        row,
        lease,
        connector,
        trigger,
        new ProviderError('reauth', 'no_refresh_token', 'the connection has no refresh token (online access); the user must authorize again'),
      );
    }

    // A lease left behind means the last refresh never finished: its answer may be in the journal.
    let answer = row.abandoned_lease ? await this.journal.find(row.id, row.generation + 1).catch(() => undefined) : undefined;
    const recovered = Boolean(answer);
    if (!answer) {
      const budget = await this.budgetWait(connector, refreshToken);
      if (budget > 0) {
        this.metrics.refreshes.inc({ preset: connector.preset, trigger, outcome: 'budget_exhausted' });
        await this.reschedule(row, lease, budget / 1000, null);
        // A caller that only needs a token still gets the current one; an explicit refresh is told no.
        if (trigger !== 'manual' && row.expires_at && row.expires_at.getTime() > Date.now()) return this.connections.row(row.id);
        throw new OAuthException(
          OAuthErrorCodes.BudgetExhausted,
          `The provider's refresh budget for this token is used up; the next refresh is in ${Math.ceil(budget / 1000)} s.`,
        );
      }
      await this.dataSource.query(`INSERT INTO "oauth"."refresh_call" (connection_id, refresh_token_fp) VALUES ($1, $2)`, [row.id, fingerprint(refreshToken)]);
      try {
        answer = await this.provider.refresh(connector, refreshToken, row.token_host);
      } catch (err) {
        if (err instanceof ProviderError) return this.fail(row, lease, connector, trigger, err);
        throw err;
      }
    }

    const updated = await this.store(row, lease, answer, !recovered);
    if (!updated) {
      // The lease expired and someone else took over: our answer stays in the journal for them.
      this.metrics.refreshes.inc({ preset: connector.preset, trigger, outcome: 'fenced' });
      this.logger.error({ connectionId: row.id, generation: row.generation }, 'refresh write fenced off: the lease was lost');
      throw new OAuthException(OAuthErrorCodes.ProviderUnavailable, 'The refresh could not be stored; try again shortly.');
    }
    const secondsBeforeExpiry = row.expires_at ? (row.expires_at.getTime() - Date.now()) / 1000 : null;
    this.metrics.refreshes.inc({ preset: connector.preset, trigger, outcome: recovered ? 'recovered' : 'refreshed' });
    if (secondsBeforeExpiry !== null) this.metrics.secondsBeforeExpiry.observe({ trigger }, secondsBeforeExpiry);
    await this.publish(() =>
      this.jetstream.publish(
        Subjects.OAuthTokenRefreshed,
        {
          connectionId: row.id,
          connectorId: row.connector_id,
          userRef: row.user_ref,
          generation: updated.generation,
          refreshedAt: new Date().toISOString(),
          expiresAt: updated.expires_at?.toISOString() ?? null,
          secondsBeforeExpiry,
          trigger,
        },
        { msgID: `${row.id}:refreshed:${updated.generation}` },
      ),
    );
    return updated;
  }

  /**
   * The provider's answer is the one thing that cannot be fetched again, so it
   * is journaled and written with retries while this claim's lease lasts: a
   * database or NATS outage of a few seconds delays the write and loses
   * nothing. Only if both stay down past the lease (or the process dies before
   * either write) is the answer gone.
   */
  private async store(row: ClaimedRow, lease: string, answer: TokenAnswer, journal: boolean): Promise<ConnectionRow | undefined> {
    const deadline = Date.now() + (this.config.REFRESH_LEASE_SECONDS - 1) * 1000;
    let journaled = !journal;
    for (let attempt = 0; ; attempt++) {
      if (!journaled) {
        try {
          await this.journal.record(row.id, row.generation + 1, answer);
          journaled = true;
        } catch (err) {
          if (attempt === 0) this.logger.warn({ err, connectionId: row.id }, 'could not journal a refresh answer; retrying');
        }
      }
      try {
        return await this.write(row, lease, answer);
      } catch (err) {
        if (!isDependencyFailure(err) || Date.now() + 500 > deadline) throw err;
        if (attempt === 0) this.logger.warn({ err, connectionId: row.id }, 'could not store a refresh answer; retrying while the lease lasts');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Stores the new tokens only if nobody else refreshed or took the lease since this claim (the fence). */
  private async write(row: ConnectionRow, lease: string, answer: TokenAnswer): Promise<ConnectionRow | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE "oauth"."connection" SET access_token_sealed = $3, refresh_token_sealed = coalesce($4, refresh_token_sealed), token_type = $5,
         scope = coalesce($6, scope), expires_at = $7, api_domain = coalesce($8, api_domain), refresh_at = $9, generation = generation + 1,
         lease_token = NULL, lease_until = NULL, failures = 0, last_error = NULL, last_refreshed_at = now(), updated_at = now()
       WHERE id = $1 AND generation = $2 AND lease_token = $10 RETURNING *`,
      [
        row.id,
        row.generation,
        this.connections.sealAccess(row.id, answer.accessToken),
        // A provider that does not rotate sends no refresh token: the old one stays (RFC 6749 §6).
        answer.refreshToken ? this.connections.sealRefresh(row.id, answer.refreshToken) : null,
        answer.tokenType,
        answer.scope,
        answer.expiresIn === null ? null : new Date(Date.now() + answer.expiresIn * 1000),
        answer.apiDomain,
        this.connections.refreshAt(answer, true),
        lease,
      ],
    )) as [ConnectionRow[], number];
    return rows[0];
  }

  private async fail(row: ConnectionRow, lease: string, connector: ConnectorRow, trigger: Trigger, err: ProviderError): Promise<ConnectionRow> {
    const error = { code: err.code, message: err.message.slice(0, 500) };
    this.metrics.refreshes.inc({ preset: connector.preset, trigger, outcome: err.kind });
    if (err.kind === 'reauth') {
      const [rows] = (await this.dataSource.query(
        `UPDATE "oauth"."connection" SET status = 'reauth_required', refresh_at = NULL, lease_token = NULL, lease_until = NULL,
           failures = failures + 1, last_error = $3, updated_at = now()
         WHERE id = $1 AND lease_token = $2 RETURNING id`,
        [row.id, lease, error],
      )) as [unknown[], number];
      if (rows.length) {
        this.logger.warn({ connectionId: row.id, code: err.code }, 'connection needs the user to authorize again');
        await this.publish(() =>
          this.jetstream.publish(
            Subjects.OAuthConnectionFailed,
            {
              connectionId: row.id,
              connectorId: row.connector_id,
              userRef: row.user_ref,
              failedAt: new Date().toISOString(),
              status: 'reauth_required',
              error,
            },
            { msgID: `${row.id}:failed:${row.generation}` },
          ),
        );
      }
      throw new OAuthException(OAuthErrorCodes.ReauthRequired, `The user must authorize this connection again (${err.code}).`);
    }
    // Throttling means wait (never re-authorize); other failures back off exponentially, up to 10 minutes.
    const backoff = err.kind === 'throttled' ? 60 * 2 ** Math.min(row.failures, 3) : Math.min(600, 5 * 2 ** Math.min(row.failures, 7));
    await this.reschedule(row, lease, backoff, error);
    this.logger.warn({ connectionId: row.id, kind: err.kind, code: err.code, retryInSeconds: backoff }, 'refresh failed; will retry');
    if (row.expires_at && row.expires_at.getTime() > Date.now()) return this.connections.row(row.id);
    throw new OAuthException(
      err.kind === 'throttled' ? OAuthErrorCodes.BudgetExhausted : OAuthErrorCodes.ProviderUnavailable,
      `The provider did not refresh the token (${err.code}); retrying in ${backoff} s.`,
    );
  }

  private async reschedule(row: ConnectionRow, lease: string, inSeconds: number, error: { code: string; message: string } | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE "oauth"."connection" SET refresh_at = now() + make_interval(secs => $3), lease_token = NULL, lease_until = NULL,
         failures = failures + CASE WHEN $4::jsonb IS NULL THEN 0 ELSE 1 END, last_error = coalesce($4, last_error), updated_at = now()
       WHERE id = $1 AND lease_token = $2`,
      [row.id, lease, inSeconds, error],
    );
  }

  private async release(row: ConnectionRow, lease: string): Promise<ConnectionRow> {
    await this.dataSource.query(`UPDATE "oauth"."connection" SET lease_token = NULL, lease_until = NULL WHERE id = $1 AND lease_token = $2`, [row.id, lease]);
    return this.connections.row(row.id);
  }

  /** Milliseconds until the provider's budget for this refresh token allows another call; 0 if it does now. */
  private async budgetWait(connector: ConnectorRow, refreshToken: string): Promise<number> {
    if (!connector.refresh_budget || !connector.refresh_budget_window_seconds) return 0;
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n, extract(epoch FROM min(called_at) + make_interval(secs => $2) - now()) * 1000 AS wait_ms
       FROM "oauth"."refresh_call" WHERE refresh_token_fp = $1 AND called_at > now() - make_interval(secs => $2)`,
      [fingerprint(refreshToken), connector.refresh_budget_window_seconds],
    )) as { n: number; wait_ms: number | null }[];
    return row.n >= connector.refresh_budget ? Math.max(1000, Number(row.wait_ms ?? 0)) : 0;
  }

  /** Events are announcements; a refresh that is stored is not undone because NATS was briefly away. */
  private async publish(send: () => Promise<unknown>): Promise<void> {
    await send().catch((err: unknown) => this.logger.warn({ err }, 'could not publish an OAuth event'));
  }
}

function assertUsable(row: ConnectionRow): void {
  if (row.status === 'reauth_required') throw new OAuthException(OAuthErrorCodes.ReauthRequired, 'The user must authorize this connection again.');
  if (row.status === 'revoked') throw new OAuthException(OAuthErrorCodes.Revoked, 'The connection was revoked.');
}
