import type { ReactNode } from 'react';

interface Slide {
  type: string;
  title?: string;
  data?: unknown;
}
interface CliqContent {
  text?: string;
  card?: { title?: string; theme?: string; thumbnail?: string };
  slides?: Slide[];
  buttons?: { label: string; type?: string; action?: { type?: string; data?: { web?: string } } }[];
  bot?: { name?: string };
}

/** Cliq's text markup, the common part: *bold*, _italic_, `code`. */
function markup(text: string): ReactNode[] {
  return text.split(/(\*[^*\n]+\*|_[^_\n]+_|`[^`\n]+`)/g).map((part, i) => {
    if (/^\*[^*]+\*$/.test(part)) return <strong key={i}>{part.slice(1, -1)}</strong>;
    if (/^_[^_]+_$/.test(part)) return <em key={i}>{part.slice(1, -1)}</em>;
    if (/^`[^`]+`$/.test(part)) return <code key={i}>{part.slice(1, -1)}</code>;
    return part;
  });
}

function SlideView({ slide }: { slide: Slide }) {
  const data = slide.data;
  let body: ReactNode = null;
  if (slide.type === 'text' && typeof data === 'string') body = <p>{markup(data)}</p>;
  else if (slide.type === 'list' && Array.isArray(data))
    body = (
      <ul>
        {data.map((item, i) => (
          <li key={i}>{String(item)}</li>
        ))}
      </ul>
    );
  else if (slide.type === 'label' && Array.isArray(data))
    body = (
      <dl>
        {(data as Record<string, unknown>[]).flatMap((row, i) =>
          Object.entries(row).map(([k, v]) => [<dt key={`${i}${k}t`}>{k}</dt>, <dd key={`${i}${k}d`}>{String(v)}</dd>]),
        )}
      </dl>
    );
  else if (slide.type === 'table' && data && typeof data === 'object') {
    const t = data as { headers?: string[]; rows?: Record<string, unknown>[] };
    body = (
      <table>
        <thead>
          <tr>
            {(t.headers ?? []).map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(t.rows ?? []).map((r, i) => (
            <tr key={i}>
              {(t.headers ?? []).map((h) => (
                <td key={h}>{String(r[h] ?? '')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  } else if (slide.type === 'images' && Array.isArray(data)) body = <p>{data.length} image(s)</p>;
  return (
    <div className="slide">
      {slide.title && <h4>{slide.title}</h4>}
      {body}
    </div>
  );
}

/** A stored message as Cliq shows it: card title, text, slides, buttons. */
export function CliqMessageView({ content }: { content: CliqContent }) {
  return (
    <div className={`cliq-message${content.card ? ' card' : ''}`}>
      {content.card?.title && <div className="card-title">{content.card.title}</div>}
      {content.text && <p className="text">{markup(content.text)}</p>}
      {content.slides?.map((s, i) => (
        <SlideView key={i} slide={s} />
      ))}
      {content.buttons && (
        <div className="buttons">
          {content.buttons.map((b, i) =>
            b.action?.data?.web ? (
              <a key={i} className="button" href={b.action.data.web} target="_blank" rel="noreferrer">
                {b.label}
              </a>
            ) : (
              <span key={i} className="button">
                {b.label}
              </span>
            ),
          )}
        </div>
      )}
    </div>
  );
}
