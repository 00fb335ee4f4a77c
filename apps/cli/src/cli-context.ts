import { createZapgateClient, unwrap, type FetchResult, type ZapgateClient } from '@zapgate/client';
import { type CliConfig, CliUsageError } from './config/cli-config';
import { type Column, record, table } from './output/render';

/** What every command gets: the typed client and the way to print an answer. */
export class CliContext {
  readonly client: ZapgateClient;

  constructor(
    readonly config: CliConfig,
    private readonly out: (text: string) => void,
    private readonly err: (text: string) => void,
  ) {
    this.client = createZapgateClient(config.client);
  }

  /** The call's data, or the API's refusal as a ZapgateApiError (printed by main). */
  call<T>(request: Promise<FetchResult<T>>): Promise<T> {
    return unwrap(request);
  }

  /** Operator commands need a key; say where one comes from rather than send a request bound to fail. */
  requireAdminKey(): void {
    if (!this.config.client.adminKey) {
      throw new CliUsageError(
        'This command needs an operator key: --admin-key, ZAPGATE_ADMIN_KEY, or ADMIN_API_KEY in .zapgate/local.env (made by npm start).',
      );
    }
  }

  /** A list: a table for people, the API's answer for --json; a next page is named on stderr. */
  list<T>(answer: { data: T[]; next_cursor?: string | null }, columns: readonly Column<T>[]): void {
    if (this.config.json) return this.out(JSON.stringify(answer, null, 2) + '\n');
    this.out(table(answer.data, columns));
    if (answer.next_cursor) this.err(`more: --cursor ${answer.next_cursor}\n`);
  }

  /** One object: `key value` lines, or JSON. */
  show(answer: object, note?: string): void {
    if (this.config.json) return this.out(JSON.stringify(answer, null, 2) + '\n');
    this.out(record(answer as Record<string, unknown>));
    if (note) this.err(`${note}\n`);
  }

  /** A line for people (nothing with --json, where the data says it). */
  say(text: string): void {
    if (!this.config.json) this.out(`${text}\n`);
  }

  /** A line that is data in both modes (tail). */
  emit(value: object, human: string): void {
    this.out(this.config.json ? JSON.stringify(value) + '\n' : `${human}\n`);
  }
}
