import { freePort, spawnService, waitForReady, type ServiceProcess } from '@zapgate/testing';
import { createFixture, until } from './fixtures';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

/**
 * The event-log projection in a process of its own: the webhook-ingest that
 * serves requests runs with INGEST_PROJECTIONS=off, and a second one with
 * `on` fills the log from the durable consumers, including what was
 * acknowledged before it started.
 */
describe('webhook-ingest with the event log in its own process', () => {
  let platform: Platform;
  let projections: ServiceProcess | undefined;

  beforeAll(async () => {
    platform = await startPlatform('proj', { INGEST_PROJECTIONS: 'off' });
  });

  afterAll(async () => {
    await projections?.stop();
    await platform?.stop();
  });

  const event = async (id: string) => {
    const res = await fetch(`${platform.services.ingest.baseUrl}/api/v1/events/${id}`, { headers: { 'x-admin-key': ADMIN_KEY } });
    return res.status === 200 ? ((await res.json()) as { status: string }) : undefined;
  };

  it('serves requests without projecting, and the projection process catches up on its own', async () => {
    const fx = await createFixture(platform, 'projections@example.com');
    const posted = await fetch(`${platform.services.ingest.baseUrl}/api/v2/channelsbyname/general/message?zapikey=${fx.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'proj-1' },
      body: JSON.stringify({ text: 'kept while nobody projects' }),
    });
    expect(posted.status).toBe(204);
    const eventId = posted.headers.get('x-zapgate-event-id') ?? '';
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await event(eventId)).toBeUndefined(); // the serving process keeps no log

    const port = await freePort();
    projections = spawnService('webhook-ingest', port, { ...platform.env, WEBHOOK_INGEST_PORT: String(port), INGEST_PROJECTIONS: 'on' });
    await waitForReady(projections, '/health/ready', 45_000);
    const logged = await until(async () => {
      const e = await event(eventId);
      return e && e.status !== 'received' ? e : undefined;
    }, 30_000);
    expect(logged.status).toBe('stored');
  });
});
