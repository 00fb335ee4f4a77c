import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { unwrap } from '../api/api';
import { useConsole } from '../api/use-api';
import { useHashRoute } from '../components/use-hash-route';
import { ErrorNote, Field } from '../components/ui';
import { UsageChart } from '../components/usage-chart';

type Window = '24h' | '7d' | '30d' | 'range';
interface Report {
  from: string;
  to: string;
  total: number;
  buckets: { hour: string; count: number }[];
}

/** Zoho's API statistics page: hourly counts for 24 h, 7 days, 30 days or any range, per token or per user. */
export function UsagePage() {
  const { api, session } = useConsole();
  const operator = session.kind === 'operator';
  const { params } = useHashRoute();
  const [tokenId, setTokenId] = useState(params.get('token') ?? '');
  const [userId, setUserId] = useState(params.get('user') ?? '');
  const [window, setWindow] = useState<Window>('24h');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const range = window === 'range' ? { from: from ? new Date(from).toISOString() : undefined, to: to ? new Date(to).toISOString() : undefined } : { window };
  const report = useQuery({
    queryKey: ['usage', operator, tokenId, userId, window, from, to],
    enabled: Boolean(tokenId || (operator && userId)),
    // Counts arrive within seconds of each request; the chart follows them.
    refetchInterval: 3000,
    queryFn: (): Promise<Report> => {
      if (tokenId)
        return operator
          ? unwrap(api.token.GET('/api/v1/admin/tokens/{id}/usage', { params: { path: { id: tokenId }, query: range } }))
          : unwrap(api.token.GET('/api/v1/tokens/{id}/usage', { params: { path: { id: tokenId }, query: range } }));
      return unwrap(api.token.GET('/api/v1/admin/users/{userId}/usage', { params: { path: { userId }, query: range } }));
    },
  });

  return (
    <>
      <div className="filters">
        <Field label="Token id">
          <input value={tokenId} onChange={(e) => setTokenId(e.target.value.trim())} />
        </Field>
        {operator && (
          <Field label="or user id (all their tokens)">
            <input value={userId} onChange={(e) => setUserId(e.target.value.trim())} disabled={Boolean(tokenId)} />
          </Field>
        )}
        <Field label="Period">
          <select value={window} onChange={(e) => setWindow(e.target.value as Window)}>
            <option value="24h">last 24 hours</option>
            <option value="7d">last 7 days</option>
            <option value="30d">last 30 days</option>
            <option value="range">a date range</option>
          </select>
        </Field>
        {window === 'range' && (
          <>
            <Field label="From">
              <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
            </Field>
            <Field label="To">
              <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
            </Field>
          </>
        )}
      </div>
      <ErrorNote error={report.error} />
      {!report.data && !report.error && <p className="empty">Pick a token{operator ? ' or a user' : ''}.</p>}
      {report.data && (
        <section aria-label="usage">
          <p className="total">
            <strong data-testid="usage-total">{report.data.total}</strong> requests from {new Date(report.data.from).toLocaleString()} to{' '}
            {new Date(report.data.to).toLocaleString()}
          </p>
          <UsageChart buckets={report.data.buckets} label={`requests per hour, ${report.data.total} in total`} />
        </section>
      )}
    </>
  );
}
