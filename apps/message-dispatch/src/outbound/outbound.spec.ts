import { Webhook } from 'standardwebhooks';
import { mapPayload, markdownOf, splitText, toSlackMrkdwn, MATTERMOST_POST_MAX, SLACK_TEXT_MAX, type OutboundMessage } from './payload-mappers';
import { nextAttemptDelayMs } from './retry-policy';
import { retryAfterMs, SsrfGuard } from '@zapgate/platform';
import { newWebhookSecret, signStandardWebhook } from './standard-webhooks.signer';
import { NO_SLOT, SubscriptionThrottle } from './subscription-throttle';

const message = (content: Record<string, unknown>): OutboundMessage => ({
  id: '00000000-0000-4000-8000-000000000001',
  target: { kind: 'channel', name: 'ops' },
  sender: { type: 'user', id: 'u' },
  time: '2026-01-01T00:00:00.000Z',
  content,
});

describe('standard webhooks signing', () => {
  it('is verified by the standardwebhooks library with the current and the retired secret', () => {
    const [current, retired] = [newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ hello: 'world' });
    const headers = signStandardWebhook('msg_1', body, [current, retired]);
    expect(new Webhook(current).verify(body, headers)).toEqual({ hello: 'world' });
    expect(new Webhook(retired).verify(body, headers)).toEqual({ hello: 'world' });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(current).verify(`${body} `, headers)).toThrow();
  });
});

describe('payload mapping', () => {
  it('gives Slack every slide as a block, not only in the notification text', () => {
    const content = {
      text: 'Deploy report',
      card: { title: 'Release 1.2' },
      slides: [
        {
          type: 'table',
          title: 'Services',
          data: {
            headers: ['Name', 'Status'],
            rows: [
              { Name: 'api', Status: 'up' },
              { Name: 'web', Status: 'down' },
            ],
          },
        },
        { type: 'label', title: 'Details', data: [{ Region: 'eu-1' }, { Duration: '42 s' }] },
      ],
      buttons: [{ label: 'Open', type: '+', action: { type: 'open.url', data: { web: 'https://example.com/r' } } }],
    };
    const [slack] = mapPayload('slack', message(content)).map((b) => JSON.parse(b) as { blocks: { type: string; text?: { text: string } }[] });
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'actions']);
    expect(slack.blocks[2].text?.text).toBe('*Services*\nName | Status\napi | up\nweb | down');
    expect(slack.blocks[3].text?.text).toBe('*Details*\nRegion: eu-1\nDuration: 42 s');
  });

  it('keeps Slack under its 40,000 characters and Mattermost posts under 16,383', () => {
    const long = message({ text: 'a'.repeat(9_000), slides: Array.from({ length: 20 }, () => ({ type: 'text', data: 'b'.repeat(9_000) })) });
    const [slack] = mapPayload('slack', long).map((b) => JSON.parse(b) as { text: string; blocks?: unknown });
    expect(slack.text.length).toBe(SLACK_TEXT_MAX);
    expect(slack.text.endsWith('…')).toBe(true);
    expect(slack.blocks).toBeUndefined();
    const posts = mapPayload('mattermost', long).map((b) => (JSON.parse(b) as { text: string }).text);
    expect(posts.length).toBeGreaterThan(1);
    expect(posts.every((p) => p.length <= MATTERMOST_POST_MAX)).toBe(true);
    expect(posts.join('\n')).toBe(markdownOf(long));
  });

  it('splits at line breaks and hard-splits only lines longer than a post', () => {
    expect(splitText('aa\nbb\ncc', 5)).toEqual(['aa\nbb', 'cc']);
    expect(splitText('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
    expect(splitText('short', 10)).toEqual(['short']);
  });

  it('renders cards, slides and link buttons as Markdown, and Slack links as <url|label>', () => {
    const m = message({
      text: 'see [docs](https://d.example)',
      card: { title: 'Deploy' },
      slides: [
        { type: 'table', title: 'T', data: { headers: ['a', 'b'], rows: [{ a: 1, b: 2 }] } },
        { type: 'list', data: ['x', 'y'] },
      ],
      buttons: [{ label: 'Go', type: '+', action: { type: 'open.url', data: { web: 'https://go.example' } } }],
    });
    expect(markdownOf(m)).toBe('**Deploy**\n\nsee [docs](https://d.example)\n\n**T**\na | b\n1 | 2\n\n- x\n- y\n\n[Go](https://go.example)');
    expect(toSlackMrkdwn('**b** [l](https://u.example)')).toBe('*b* <https://u.example|l>');
    expect(JSON.parse(mapPayload('cliq', message({ text: 't', sync_message: true }))[0])).toEqual({ text: 't' });
    expect(JSON.parse(mapPayload('standard-webhooks', m)[0])).toMatchObject({ type: 'message.created', data: { id: m.id } });
  });
});

describe('retry policy', () => {
  const schedule = [5, 300, 1800];
  it('follows the schedule with jitter, then stops', () => {
    expect(nextAttemptDelayMs(1, schedule, 0)).toBe(5000);
    expect(nextAttemptDelayMs(3, schedule, 0)).toBe(1_800_000);
    expect(nextAttemptDelayMs(4, schedule, 0)).toBeUndefined();
    expect(nextAttemptDelayMs(2, schedule, 0.2, undefined, () => 0)).toBe(240_000);
    expect(nextAttemptDelayMs(2, schedule, 0.2, undefined, () => 1)).toBe(360_000);
  });
  it("waits at least the receiver's Retry-After, capped at a day, and never less than the schedule", () => {
    expect(nextAttemptDelayMs(1, schedule, 0, 42_000)).toBe(42_000);
    expect(nextAttemptDelayMs(1, schedule, 0, 10 * 86_400_000)).toBe(86_400_000);
    // A short Retry-After does not shorten the horizon: the schedule's wait stands.
    expect(nextAttemptDelayMs(2, schedule, 0, 1000)).toBe(300_000);
    expect(nextAttemptDelayMs(3, schedule, 0, 1000)).toBe(1_800_000);
    expect(nextAttemptDelayMs(4, schedule, 0, 1000)).toBeUndefined();
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(55_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('SSRF guard', () => {
  it('refuses private, loopback, link-local and mapped addresses unless allow-listed', () => {
    const guard = new SsrfGuard([]);
    for (const ip of [
      '10.0.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '172.20.1.1',
      '192.168.1.1',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ]) {
      expect([ip, guard.isAllowed(ip)]).toEqual([ip, false]);
    }
    for (const ip of ['93.184.216.34', '2606:4700::1111', '8.8.8.8']) expect(guard.isAllowed(ip)).toBe(true);
    const local = new SsrfGuard(['127.0.0.0/8']);
    expect(local.isAllowed('127.0.0.1')).toBe(true);
    expect(local.isAllowed('10.0.0.1')).toBe(false);
    expect(() => guard.checkLiteral(new URL('http://[::1]:80/'))).toThrow(/not allow-listed/);
  });

  it('checks hostnames after they resolve', async () => {
    await expect(new SsrfGuard([]).check(new URL('http://localhost:9/'))).rejects.toThrow(/not allow-listed/);
  });
});

describe('subscription throttle', () => {
  it('caps requests in flight, and gives the slot back when the rate says wait', async () => {
    const waits = [0, 0, 250];
    const asked: number[] = [];
    const t = new SubscriptionThrottle((sub) => {
      asked.push(sub.rate_limit_per_second);
      return waits.shift() ?? 0;
    });
    const sub = { id: 's', max_concurrency: 2, rate_limit_per_second: 2 };
    expect(await t.slot(sub, 0)).toBe(0);
    expect(await t.slot(sub, 0)).toBe(0);
    expect(await t.slot(sub, 1)).toBe(NO_SLOT); // two in flight, and nobody releases within the wait
    t.release('s');
    t.release('s');
    expect(await t.slot(sub, 0)).toBe(250); // the rate wants 250 ms more
    expect(t.room(sub)).toBe(2 + 4); // and the slot it held went back
    expect(await t.slot({ ...sub, rate_limit_per_second: null }, 0)).toBe(0); // no rate: not asked
    expect(asked).toEqual([2, 2, 2]);
  });

  it('hands a freed slot to the delivery that waited longest, and gives up after the wait', async () => {
    const t = new SubscriptionThrottle(() => 0);
    const sub = { id: 's', max_concurrency: 1, rate_limit_per_second: null };
    expect(await t.slot(sub, 1000)).toBe(0);
    const order: string[] = [];
    const first = t.slot(sub, 60_000).then((w) => order.push(`first:${w}`));
    const second = t.slot(sub, 60_000).then((w) => order.push(`second:${w}`));
    t.release('s');
    await first;
    expect(order).toEqual(['first:0']); // the second still waits: the slot passed over, it was not freed
    expect(t.room(sub)).toBe(1); // one in flight, one waiting: one more place in the wait
    t.release('s');
    await second;
    expect(order).toEqual(['first:0', 'second:0']);
    expect(await t.slot(sub, 10)).toBe(NO_SLOT); // nobody releases: it gives up and the delivery goes back to its place
    // At most twice max_concurrency wait: a slow subscription cannot hold the worker's slots.
    const parked = [t.slot(sub, 60_000), t.slot(sub, 60_000)];
    expect(t.saturated()).toEqual(['s']); // the worker claims none of its deliveries meanwhile
    expect(await t.slot(sub, 60_000)).toBe(NO_SLOT);
    t.release('s');
    t.release('s');
    expect(await Promise.all(parked)).toEqual([0, 0]);
    expect(t.saturated()).toEqual([]);
  });
});
