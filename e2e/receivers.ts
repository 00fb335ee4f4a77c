import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  url: string;
}

/** What the receiver does with request number `n` (0-based). */
export interface Behaviour {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow or hanging receiver). */
  delayMs?: number;
  /** Send the status line at once, then trickle the body one byte per this many ms. */
  trickleMs?: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Replaces how the receiver answers from now on. */
  behave(fn: (n: number, r: Received) => Behaviour): void;
  close(): Promise<void>;
}

/** A real local HTTP receiver that fails the ways real ones do, and keeps every request it got. */
export async function startReceiver(initial: (n: number, r: Received) => Behaviour = () => ({ status: 200, body: 'ok' })): Promise<Receiver> {
  let behaviour = initial;
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), url: req.url ?? '' };
      const n = received.length;
      received.push(r);
      const b = behaviour(n, r);
      const answer = () => {
        if (res.destroyed) return;
        const body = b.body ?? (b.status === 204 ? '' : 'ok');
        if (b.trickleMs) {
          res.writeHead(b.status ?? 200, { ...b.headers, 'content-length': String(Buffer.byteLength(body)) });
          let i = 0;
          const timer = setInterval(() => {
            if (res.destroyed || i >= body.length) {
              clearInterval(timer);
              if (!res.destroyed) res.end();
              return;
            }
            res.write(body[i++]);
          }, b.trickleMs);
          return;
        }
        res.writeHead(b.status ?? 200, b.headers).end(body);
      };
      if (b.delayMs) setTimeout(answer, b.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    behave(fn) {
      behaviour = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
