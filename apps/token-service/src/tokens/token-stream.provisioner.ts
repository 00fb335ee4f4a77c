import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Streams } from '@zapgate/contracts';
import { JetStreamService } from '@zapgate/platform';

/** token-service publishes token and user lifecycle events: it owns the TOKENS stream. */
@Injectable()
export class TokenStreamProvisioner implements OnApplicationBootstrap {
  constructor(private readonly jetstream: JetStreamService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStream(Streams.Tokens);
  }
}
