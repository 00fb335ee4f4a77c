import { useState, type ReactNode } from 'react';

/** An API's message, as the API wrote it. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

export function DataTable<T>({ rows, columns, rowKey, label }: { rows: T[]; columns: Column<T>[]; rowKey: (row: T) => string; label: string }) {
  if (!rows.length) return <p className="empty">Nothing here yet.</p>;
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.header}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Cursor pagination: the APIs' next_cursor, with a way back. */
export function usePager() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  const cursor = stack[stack.length - 1];
  return {
    cursor,
    reset: () => setStack([undefined]),
    controls: (next: string | null | undefined) => (
      <nav className="pager" aria-label="pages">
        <button type="button" disabled={stack.length < 2} onClick={() => setStack(stack.slice(0, -1))}>
          Previous
        </button>
        <span>page {stack.length}</span>
        <button type="button" disabled={!next} onClick={() => next && setStack([...stack, next])}>
          Next
        </button>
      </nav>
    ),
  };
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => setDone(true),
          () => setDone(false),
        );
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** A secret shown once: the page says so, and it can be copied. */
export function SecretOnce({ title, secret }: { title: string; secret: string }) {
  return (
    <div className="secret" role="status">
      <strong>{title}</strong> — shown only now; copy it:
      <code data-testid="secret">{secret}</code>
      <CopyButton text={secret} />
    </div>
  );
}

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');
