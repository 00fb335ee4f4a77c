import { type DynamicModule, Module } from '@nestjs/common';
import { Consumers } from '@zapgate/contracts';
import { AdminKeyGuard, AuditModule, DeadLetterModule, PlatformModule, RetentionModule, userErasureProviders } from '@zapgate/platform';
import { AppkeyGuard, OwnerAccessGuard, TokenClientModule } from '@zapgate/token-client';
import { EventLogEraser } from './events/event-log-eraser';
import { EventLogHandler } from './events/event-log.handler';
import { EventLogWriter } from './events/event-log.writer';
import { EventOutcomeHandler } from './events/event-outcome.handler';
import { eventRetention } from './events/event-retention';
import { EventsController } from './events/events.controller';
import { EventsService } from './events/events.service';
import { IncomingController } from './incoming/incoming.controller';
import type { IngestConfig } from './ingest-config.schema';
import { DedupService } from './ingest/dedup.service';
import { IngestMetrics } from './ingest/ingest-metrics';
import { IngestService } from './ingest/ingest.service';
import { StreamProvisioner } from './ingest/stream-provisioner';
import { IpFloodGuard, SharedLimits, UserRateLimitGuard } from './limits/limit.guards';
import { MessagesController } from './messages/messages.controller';
import { ingestMigrations } from './migrations';
import { SenderVerificationStore } from './verification/sender-verification.store';
import { VerificationController } from './verification/verification.controller';

export const INGEST_SCHEMA = 'ingest';

@Module({})
export class AppModule {
  static forRoot(config: IngestConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ service: 'webhook-ingest', config, database: { schema: INGEST_SCHEMA, entities: [], migrations: ingestMigrations } }),
        AuditModule.forService({ schema: INGEST_SCHEMA, route: 'ingest' }),
        TokenClientModule.forRoot({ cacheTtlMs: config.TOKEN_CACHE_TTL_MS, usageReportMs: config.TOKEN_USAGE_REPORT_MS }),
        RetentionModule.forService({ route: 'ingest' }),
        DeadLetterModule.forService({ schema: INGEST_SCHEMA, route: 'ingest' }),
      ],
      controllers: [MessagesController, IncomingController, EventsController, VerificationController],
      providers: [
        StreamProvisioner,
        IngestMetrics,
        IngestService,
        DedupService,
        SenderVerificationStore,
        EventsService,
        eventRetention,
        ...userErasureProviders(Consumers.IngestUserErasure, EventLogEraser),
        // The projection can run in a process of its own (INGEST_PROJECTIONS=off here, on there).
        ...(config.INGEST_PROJECTIONS === 'on' ? [EventLogHandler, EventLogWriter, EventOutcomeHandler] : []),
        SharedLimits,
        IpFloodGuard,
        UserRateLimitGuard,
        AppkeyGuard,
        OwnerAccessGuard,
        AdminKeyGuard,
      ],
    };
  }
}
