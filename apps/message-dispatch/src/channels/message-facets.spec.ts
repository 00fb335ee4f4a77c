import type { WebhookReceivedV1 } from '@zapgate/contracts';
import { API_FACETS, facetsOf } from './message-facets';

const incoming = (headers: Record<string, string>, body: string, extra: Partial<WebhookReceivedV1> = {}): WebhookReceivedV1 => ({
  eventId: '5e0c4a44-0000-4000-8000-000000000001',
  receivedAt: new Date().toISOString(),
  source: 'application-incoming',
  userId: '5e0c4a44-0000-4000-8000-000000000002',
  tokenId: '5e0c4a44-0000-4000-8000-000000000003',
  target: { kind: 'application', id: '5e0c4a44-0000-4000-8000-000000000004' },
  request: { method: 'POST', headers, parameters: {}, body },
  ...extra,
});

describe('message facets (what subscription filters match)', () => {
  it('names API posts api, with no event type and the message as payload', () => {
    const { request: _, ...post } = incoming({}, '');
    expect(facetsOf({ ...post, source: 'channel-post', message: { text: 'hi' } }, 'formatter')).toBe(API_FACETS);
  });

  it('tags an incoming webhook with its writer and its sender, by signature scheme or event header', () => {
    expect(facetsOf(incoming({ 'x-github-event': 'Push' }, '{ "ref": "main" }'), 'formatter')).toEqual({
      sources: ['webhook', 'formatter', 'github'],
      eventType: 'push',
      payload: '{"ref":"main"}',
    });
    expect(facetsOf(incoming({}, '[1]', { sender: { scheme: 'gitlab', event: 'Merge Request Hook' } }), 'handler')).toEqual({
      sources: ['webhook', 'handler', 'gitlab'],
      eventType: 'merge request hook',
      payload: '[1]',
    });
    expect(facetsOf(incoming({ 'x-event-type': 'invoice.paid' }, '{}'), 'handler')).toEqual({
      sources: ['webhook', 'handler'],
      eventType: 'invoice.paid',
      payload: '{}',
    });
  });

  it('has no payload for a body that is not JSON, or not text', () => {
    expect(facetsOf(incoming({}, 'a=1'), 'formatter').payload).toBeNull();
    expect(facetsOf(incoming({}, '{"broken":'), 'formatter').payload).toBeNull();
    // Too deep for the JSON bounds (PostgreSQL would refuse it too): no payload to match, the message is still stored.
    expect(facetsOf(incoming({}, `${'['.repeat(20_000)}${']'.repeat(20_000)}`), 'formatter').payload).toBeNull();
    // A number jsonb cannot hold is matched as null.
    expect(facetsOf(incoming({}, '{"n":1e999999}'), 'formatter').payload).toBe('{"n":null}');
    // jsonb refuses NUL and lone surrogates: matched as U+FFFD, so the message is still stored.
    expect(facetsOf(incoming({}, '{"a":"x\\u0000y","b":"\\ud800"}'), 'formatter').payload).toBe('{"a":"x\ufffdy","b":"\ufffd"}');
    expect(
      facetsOf(incoming({}, 'e30=', { request: { method: 'POST', headers: {}, parameters: {}, body: 'e30=', bodyEncoding: 'base64' } }), 'formatter').payload,
    ).toBeNull();
  });
});
