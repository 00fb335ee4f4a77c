import { Command } from 'commander';
import type { CliContext } from '../cli-context';
import type { Column } from '../output/render';
import { limitOption, pageFlags, positiveInt, type PageFlags } from './options';

interface EventSummary {
  event_id: string;
  received_at: string;
  source: string;
  target: Record<string, string>;
  status: string;
  dispatch_attempts: number;
  app_id: string | null;
}

const COLUMNS: Column<EventSummary>[] = [
  { header: 'event', value: (e) => e.event_id },
  { header: 'received', value: (e) => e.received_at },
  { header: 'source', value: (e) => e.source },
  { header: 'target', value: (e) => Object.values(e.target).join(':') },
  { header: 'status', value: (e) => e.status },
  { header: 'attempts', value: (e) => e.dispatch_attempts },
];

interface ListFlags extends PageFlags {
  app?: string;
  status?: string;
  source?: string;
  from?: string;
  to?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `zapgate events …`: what the ingest received, its outcome, and replays. */
export function eventsCommand(ctx: () => CliContext): Command {
  const events = new Command('events').description('list, follow and replay received webhook events (operator key, or owner key with --app)');
  const query = (o: ListFlags) => ({ app_id: o.app, status: o.status, source: o.source, from: o.from, to: o.to, limit: o.limit, cursor: o.cursor });
  pageFlags(limitOption(events.command('list').description('events, newest first')))
    .option('--app <appId>')
    .option('--status <status>', 'received, stored, delivered, failed, dead…')
    .option('--source <source>', 'channel-post, bot-message, application-incoming…')
    .option('--from <time>', 'ISO 8601')
    .option('--to <time>', 'ISO 8601')
    .action(async (o: ListFlags) => {
      const c = ctx();
      c.list(await c.call(c.client.ingest.GET('/api/v1/events', { params: { query: query(o) } })), COLUMNS);
    });
  events
    .command('show <eventId>')
    .description('one event: request, message, outcome')
    .action(async (eventId: string) => {
      const c = ctx();
      c.show(await c.call(c.client.ingest.GET('/api/v1/events/{eventId}', { params: { path: { eventId } } })));
    });
  events
    .command('tail')
    .description('print events as they arrive (Ctrl-C stops)')
    .option('--app <appId>')
    .option('--interval <ms>', 'how often to look', positiveInt, 1000)
    .option('--count <n>', 'stop after this many events', positiveInt)
    .action(async (o: { app?: string; interval: number; count?: number }) => {
      const c = ctx();
      // From now on: events received before the tail started are history (events list shows them).
      let since = new Date().toISOString();
      // The events at exactly `since`, already printed (the filter includes its bound).
      let atSince = new Set<string>();
      let printed = 0;
      for (;;) {
        const fresh: EventSummary[] = [];
        let cursor: string | undefined;
        do {
          const page = await c.call(c.client.ingest.GET('/api/v1/events', { params: { query: { app_id: o.app, from: since, limit: 100, cursor } } }));
          fresh.push(...page.data.filter((e) => !atSince.has(e.event_id)));
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        // Pages are newest first; a tail reads oldest first.
        fresh.sort((a, b) => a.received_at.localeCompare(b.received_at) || a.event_id.localeCompare(b.event_id));
        for (const e of fresh) {
          c.emit(e, `${e.received_at}  ${e.event_id}  ${e.source}  ${Object.values(e.target).join(':')}  ${e.status}`);
          if (o.count && ++printed >= o.count) return;
        }
        if (fresh.length) {
          const newest = fresh[fresh.length - 1].received_at;
          atSince = new Set([...(newest === since ? atSince : []), ...fresh.filter((e) => e.received_at === newest).map((e) => e.event_id)]);
          since = newest;
        }
        await sleep(o.interval);
      }
    });
  events
    .command('replay [eventId]')
    .description('dispatch one event again, or with --since every event received since a time')
    .option('--since <time>', 'ISO 8601')
    .option('--until <time>', 'ISO 8601')
    .option('--app <appId>')
    .option('--status <status>')
    .action(async (eventId: string | undefined, o: { since?: string; until?: string; app?: string; status?: string }) => {
      const c = ctx();
      if (eventId) return c.show(await c.call(c.client.ingest.POST('/api/v1/events/{eventId}/replay', { params: { path: { eventId } } })));
      if (!o.since) throw new Error('Give an event id, or --since <time> to replay every event since then.');
      c.show(await c.call(c.client.ingest.POST('/api/v1/events/replay', { body: { since: o.since, until: o.until, app_id: o.app, status: o.status } })));
    });
  return events;
}
