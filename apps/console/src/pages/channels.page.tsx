import { useEffect, useState } from 'react';
import { apiAsToken, unwrap } from '../api/api';
import { useConsole } from '../api/use-api';
import { CliqMessageView } from '../components/cliq-message';
import { ErrorNote, Field, when } from '../components/ui';

interface Message {
  id: string;
  event_id: string;
  sender: { type: 'bot'; name: string } | { type: 'user'; id: string } | null;
  time: string;
  content: Record<string, unknown>;
}
type Collection = 'channelsbyname' | 'chats' | 'bots';

/** Reads the SSE stream with fetch (EventSource cannot send the token header) and hands each message over. */
async function follow(url: string, token: string, signal: AbortSignal, onMessage: (m: Message) => void): Promise<void> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal });
  if (!res.ok || !res.body) throw new Error(`The live stream answered ${res.status}.`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (block.includes('event: message') && data) onMessage(JSON.parse(data.slice(6)) as Message);
    }
  }
}

/**
 * A channel's messages as its members see them, live. Reading is a member's right, so the page
 * reads as a token: one minted in this tab, or one pasted here.
 */
export function ChannelsPage() {
  const { minted } = useConsole();
  const [token, setToken] = useState(minted[0]?.token ?? '');
  const [collection, setCollection] = useState<Collection>('channelsbyname');
  const [name, setName] = useState('general');
  const [messages, setMessages] = useState<Message[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(false);

  useEffect(() => {
    if (!token || !name) return;
    const controller = new AbortController();
    setMessages([]);
    setError(null);
    setLive(false);
    const api = apiAsToken(token);
    void unwrap(api.dispatch.GET('/api/v2/{collection}/{name}/messages', { params: { path: { collection, name }, query: { limit: 50 } } }))
      .then((page) => {
        setMessages(page.data as Message[]);
        setLive(true);
        return follow(`/api/v2/${collection}/${encodeURIComponent(name)}/messages/stream`, token, controller.signal, (m) =>
          setMessages((list) => (list.some((x) => x.id === m.id) ? list : [m, ...list])),
        );
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(err);
      })
      .finally(() => setLive(false));
    return () => controller.abort();
  }, [token, collection, name]);

  return (
    <>
      <div className="filters">
        <Field label="Read as token">
          {minted.length ? (
            <select value={token} onChange={(e) => setToken(e.target.value)}>
              {minted.map((m) => (
                <option key={m.id} value={m.token}>
                  {m.name}
                </option>
              ))}
              <option value="">another (paste below)</option>
            </select>
          ) : null}
        </Field>
        {(!minted.length || !token) && (
          <Field label="Token (zapk_…)">
            <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value.trim())} />
          </Field>
        )}
        <Field label="Kind">
          <select value={collection} onChange={(e) => setCollection(e.target.value as Collection)}>
            <option value="channelsbyname">channel</option>
            <option value="chats">chat</option>
            <option value="bots">bot</option>
          </select>
        </Field>
        <Field label="Name">
          <input value={name} onChange={(e) => setName(e.target.value.trim())} />
        </Field>
      </div>
      <p className="hint" role="status">
        {live ? 'Live: new messages appear as they are stored.' : token ? 'Not following.' : 'Mint a token (Tokens) or paste one to read a channel.'}
      </p>
      <ErrorNote error={error} />
      <ol className="messages" aria-label="messages">
        {messages.map((m) => (
          <li key={m.id}>
            <div className="meta">
              {m.sender?.type === 'bot' ? `bot ${m.sender.name}` : m.sender?.type === 'user' ? `user ${m.sender.id.slice(0, 8)}` : 'system'} · {when(m.time)}
            </div>
            <CliqMessageView content={m.content} />
          </li>
        ))}
      </ol>
    </>
  );
}
