import type { WebhookReceivedV1 } from '@zapgate/contracts';
import { checkJsonShape, DEFAULT_JSON_LIMITS, toStorable } from '@zapgate/platform';

/** Where a stored message came from, as subscription filters see it. */
export const MessageSources = ['api', 'webhook', 'github', 'gitlab', 'handler', 'formatter'] as const;
export type MessageSource = (typeof MessageSources)[number];

/**
 * What a subscription's filter is matched against, fixed when the message is
 * stored: its sources (`api` for the message API; `webhook` and, when the
 * sender is known, `github` or `gitlab` for an incoming webhook, with
 * `handler` or `formatter` for who wrote the message), the sender's event
 * type, and the sender's JSON body (`null` for API posts, whose payload is
 * the message itself, and for bodies that are not JSON).
 */
export interface MessageFacets {
  sources: MessageSource[];
  /** Lower case: X-GitHub-Event, X-Gitlab-Event or X-Event-Type. */
  eventType: string | null;
  /** The sender's body as JSON text, when it is JSON. */
  payload: string | null;
}

export const API_FACETS: MessageFacets = { sources: ['api'], eventType: null, payload: null };

/**
 * The SQL condition on subscription `s` for one message, given SQL
 * expressions for its facets. An API post's payload is its message content
 * (sent once, not twice); an incoming webhook's is the sender's body, and a
 * body that is not JSON (NULL) matches no payload filter.
 */
export function filterMatchSql(e: { sources: string; eventType: string; payload: string; content: string }): string {
  return `(s.filter_sources IS NULL OR s.filter_sources && ${e.sources})
         AND (s.filter_event_types IS NULL OR ${e.eventType} = ANY(s.filter_event_types))
         AND (s.filter_payload IS NULL OR (CASE WHEN 'api' = ANY(${e.sources}) THEN ${e.content} ELSE ${e.payload} END) @> s.filter_payload)`;
}

export function facetsOf(event: WebhookReceivedV1, writer: 'handler' | 'formatter'): MessageFacets {
  const request = event.request;
  if (!request) return API_FACETS;
  const h = request.headers;
  const sources: MessageSource[] = ['webhook', writer];
  if (event.sender?.scheme === 'github' || h['x-github-event']) sources.push('github');
  else if (event.sender?.scheme === 'gitlab' || h['x-gitlab-event']) sources.push('gitlab');
  const eventType = event.sender?.event ?? h['x-github-event'] ?? h['x-gitlab-event'] ?? h['x-event-type'];
  return { sources, eventType: eventType ? eventType.toLowerCase() : null, payload: request.bodyEncoding ? null : jsonText(request.body) };
}

/**
 * The body as JSON text PostgreSQL's jsonb always takes, for matching only:
 * within the JSON bounds (deeper or larger bodies match no payload filter),
 * re-serialised (a number jsonb cannot hold becomes null) with NUL and lone
 * surrogates as U+FFFD. A payload must never stop a message from being stored.
 */
function jsonText(body: string): string | null {
  const first = body.trimStart()[0];
  if (first !== '{' && first !== '[') return null;
  if (checkJsonShape(body, DEFAULT_JSON_LIMITS)) return null;
  try {
    return JSON.stringify(toStorable(JSON.parse(body)));
  } catch {
    return null;
  }
}
