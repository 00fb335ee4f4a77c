import { freePort, spawnService, waitForReady, type ServiceProcess } from '@zapgate/testing';
import type { Platform } from './platform-env';

/** The gateway as npm start runs it: in front of the four services, on its own port. */
export async function startGateway(platform: Platform, env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const { token, ingest, dispatch, oauth } = platform.services;
  const gateway = spawnService('gateway', port, {
    GATEWAY_PORT: String(port),
    TOKEN_SERVICE_URL: token.baseUrl,
    WEBHOOK_INGEST_URL: ingest.baseUrl,
    MESSAGE_DISPATCH_URL: dispatch.baseUrl,
    OAUTH_REFRESH_URL: oauth.baseUrl,
    LOG_LEVEL: 'warn',
    ...env,
  });
  await waitForReady(gateway, '/health/live', 30_000);
  return gateway;
}
