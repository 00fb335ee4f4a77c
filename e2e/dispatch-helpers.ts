import { clientFor, until } from './fixtures';
import type { Platform } from './platform-env';

export interface StoredMessage {
  id: string;
  event_id: string;
  sender: { type: string; id?: string; name?: string } | null;
  content: Record<string, any>;
}

/** Small clients for the running services, as a user or operator would call them. */
export function dispatchClient(platform: Platform) {
  const ingest = platform.services.ingest.baseUrl;
  const dispatch = platform.services.dispatch.baseUrl;
  const call =
    (base: string) =>
    async (token: string, path: string, init: RequestInit = {}) => {
      const res = await fetch(base + path, {
        ...init,
        headers: {
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          authorization: `Zoho-oauthtoken ${token}`,
          ...(init.headers as Record<string, string>),
        },
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
    };
  const d = call(dispatch);
  const api = {
    d,
    /** Posts a Cliq message; the event id ingest assigned. */
    async post(token: string, path: string, message: unknown, headers: Record<string, string> = {}): Promise<string> {
      const res = await fetch(`${ingest}/api/v2/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Zoho-oauthtoken ${token}`, ...headers },
        body: typeof message === 'string' ? message : JSON.stringify(message),
      });
      if (res.status !== 204 && res.status !== 200) throw new Error(`post ${path}: ${res.status} ${await res.text()}`);
      return res.headers.get('x-zapgate-event-id')!;
    },
    async messages(token: string, collection: string, name: string): Promise<StoredMessage[]> {
      const page = await clientFor(platform, { token }).dispatch.GET('/api/v2/{collection}/{name}/messages', {
        params: { path: { collection: collection as 'channelsbyname' | 'chats' | 'bots', name }, query: { limit: 100 } },
      });
      return page.data ? (page.data.data as StoredMessage[]) : [];
    },
    /** The event as ingest shows it, once dispatch has reported an outcome other than `received`. */
    outcome(eventId: string, accept: (e: any) => boolean = (e) => e.status !== 'received', timeoutMs = 15_000): Promise<any> {
      return until(async () => {
        const { data: e } = await clientFor(platform).ingest.GET('/api/v1/events/{eventId}', { params: { path: { eventId } } });
        return e && accept(e) ? e : undefined;
      }, timeoutMs);
    },
    async metrics(): Promise<string> {
      return (await fetch(`${dispatch}/metrics`)).text();
    },
  };
  return api;
}
