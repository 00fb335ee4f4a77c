import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, SsrfGuard } from '@zapgate/platform';
import type { DispatchConfig } from '../dispatch-config.schema';

/** The one SSRF guard of this process, built from OUTBOUND_ALLOWED_CIDRS. */
@Injectable()
export class OutboundGuard {
  readonly guard: SsrfGuard;

  constructor(@Inject(APP_CONFIG) config: DispatchConfig) {
    this.guard = new SsrfGuard(config.OUTBOUND_ALLOWED_CIDRS);
  }
}
