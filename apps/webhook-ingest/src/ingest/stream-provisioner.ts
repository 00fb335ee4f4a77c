import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Streams } from '@zapgate/contracts';
import { JetStreamService } from '@zapgate/platform';

/** webhook-ingest owns the WEBHOOKS stream: it creates it (or updates its config) at boot. */
@Injectable()
export class StreamProvisioner implements OnApplicationBootstrap {
  constructor(private readonly jetstream: JetStreamService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetstream.ensureStream(Streams.Webhooks);
  }
}
