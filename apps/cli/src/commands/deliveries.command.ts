import { Command, Option } from 'commander';
import { deadLetters, OPERATIONS_PREFIX } from '@zapgate/client';
import type { CliContext } from '../cli-context';
import type { Column } from '../output/render';
import { limitOption, pageFlags, positiveInt, type PageFlags } from './options';

interface DeadLetter {
  id: string;
  consumer: string;
  kind: string;
  status: string;
  reason: string;
  created_at: string;
  retry_count: number;
}

type Service = keyof typeof OPERATIONS_PREFIX;
const SERVICES = Object.keys(OPERATIONS_PREFIX) as Service[];
type Kind = 'contract' | 'rejected_value' | 'exhausted' | 'poison';

const COLUMNS: Column<DeadLetter & { service: string }>[] = [
  { header: 'service', value: (l) => l.service },
  { header: 'id', value: (l) => l.id },
  { header: 'consumer', value: (l) => l.consumer },
  { header: 'kind', value: (l) => l.kind },
  { header: 'status', value: (l) => l.status },
  { header: 'retries', value: (l) => l.retry_count },
  { header: 'recorded', value: (l) => l.created_at },
  { header: 'reason', value: (l) => l.reason },
];

const serviceOption = () => new Option('--service <service>', 'token, ingest, dispatch or oauth').choices(SERVICES);

/** `zapgate deliveries …`: events a consumer gave up on (dead letters) in each service, and handing them back to it. */
export function deliveriesCommand(ctx: () => CliContext): Command {
  const deliveries = new Command('deliveries').description('dead letters of every service, and retrying them (operator key)');
  pageFlags(limitOption(deliveries.command('dead-letters').description('dead letters, newest first (every service unless --service)')))
    .addOption(serviceOption())
    .option('--kind <kind>', 'contract, rejected_value, exhausted or poison')
    .option('--status <status>', 'dead or retried')
    .action(async (o: PageFlags & { service?: Service; kind?: Kind; status?: 'dead' | 'retried' }) => {
      const c = ctx();
      c.requireAdminKey();
      const rows: (DeadLetter & { service: string })[] = [];
      let next: string | null = null;
      for (const service of o.service ? [o.service] : SERVICES) {
        const answer = await c.call(deadLetters(c.client, service).list({ kind: o.kind, status: o.status, limit: o.limit, cursor: o.cursor }));
        rows.push(...answer.data.map((l) => ({ ...l, service })));
        next = o.service ? answer.next_cursor : null;
      }
      c.list({ data: rows, next_cursor: next }, COLUMNS);
    });
  deliveries
    .command('retry [letterId]')
    .description('hand a dead letter (or with --all, every open one) back to the consumer that gave up on it')
    .addOption(serviceOption().makeOptionMandatory())
    .option('--all', 'every open dead letter of the service, oldest first')
    .option('--since <time>', 'with --all: only letters recorded since then (ISO 8601)')
    .option('--limit <n>', 'with --all: at most this many', positiveInt)
    .action(async (letterId: string | undefined, o: { service: Service; all?: boolean; since?: string; limit?: number }) => {
      const c = ctx();
      c.requireAdminKey();
      const letters = deadLetters(c.client, o.service);
      if (o.all) return c.show(await c.call(letters.retryAll({ since: o.since, limit: o.limit })));
      if (!letterId) throw new Error('Give a dead letter id, or --all.');
      c.show(await c.call(letters.retry(letterId)));
    });
  return deliveries;
}
