import { ConfigValidationError, createRootLogger, describeConfig, loadConfig } from '@zapgate/platform';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildGateway } from './gateway.server';
import { GATEWAY_SECRETS, gatewayConfigSchema, type GatewayConfig } from './gateway-config.schema';
import type { ServiceName } from './routing/route-table';

const DOCUMENTS: Record<ServiceName, string> = {
  token: 'token-service',
  ingest: 'webhook-ingest',
  dispatch: 'message-dispatch',
  oauth: 'oauth-refresh',
};

/** The services' documents this build was made with (libs/client keeps them in step with the services). */
function loadDocuments() {
  const dir = join(dirname(require.resolve('@zapgate/client/package.json')), 'openapi');
  return Object.fromEntries(
    Object.entries(DOCUMENTS).map(([service, file]) => [service, JSON.parse(readFileSync(join(dir, `${file}.json`), 'utf8'))]),
  ) as Parameters<typeof buildGateway>[0]['documents'];
}

/** The console's build output: GATEWAY_CONSOLE_DIR, or where the build puts it beside this app (files, not code). */
function consoleDir(config: GatewayConfig): string {
  return config.GATEWAY_CONSOLE_DIR ?? join(__dirname, '..', '..', 'console', 'dist');
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(gatewayConfigSchema);
  } catch (err) {
    if (!(err instanceof ConfigValidationError)) throw err;
    process.stderr.write(`gateway: ${err.message}\n`);
    process.exit(1);
  }
  const logger = createRootLogger({ service: 'gateway', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  logger.debug({ config: describeConfig(config, GATEWAY_SECRETS) }, 'config');
  const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };
  const app = await buildGateway({ config, logger, documents: loadDocuments(), consoleDir: consoleDir(config), version });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.debug({ signal }, 'stopping');
    setTimeout(() => process.exit(1), config.SHUTDOWN_GRACE_MS).unref();
    void app.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await app.listen({ port: config.GATEWAY_PORT, host: config.HOST });
}

void main();
