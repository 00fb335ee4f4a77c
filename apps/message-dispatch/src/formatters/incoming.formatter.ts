import type { CapturedRequest, CliqMessage } from '@zapgate/contracts';
import { checkJsonShape } from '@zapgate/platform';
import { clip, message, obj, str } from './format-kit';
import { formatGitHub } from './github.formatter';
import { formatGitLab } from './gitlab.formatter';

const header = (request: CapturedRequest, name: string): string | undefined => {
  const entry = Object.entries(request.headers).find(([k]) => k.toLowerCase() === name);
  return entry?.[1];
};

/**
 * A readable message for an incoming webhook that no extension handler
 * formats: GitHub and GitLab events by name, any other JSON as its top-level
 * fields, anything else as text.
 */
export function formatIncoming(request: CapturedRequest): CliqMessage {
  if (request.bodyEncoding === 'base64') {
    const bytes = Buffer.byteLength(request.body, 'base64');
    return message({
      title: 'Webhook received',
      text: `${request.method} with ${bytes} bytes of binary data${request.contentType ? ` (${request.contentType})` : ''}`,
    });
  }
  let body: unknown;
  try {
    // Past the bounds a body is shown as text: re-serialising it for the card must not overflow the stack.
    body = request.body && !checkJsonShape(request.body) ? JSON.parse(request.body) : undefined;
  } catch {
    body = undefined;
  }
  const json = obj(body);
  const github = header(request, 'x-github-event');
  if (github) {
    const formatted = formatGitHub(github, json);
    if (formatted) return formatted;
  }
  if (header(request, 'x-gitlab-event') || typeof json.object_kind === 'string') {
    const formatted = formatGitLab(json);
    if (formatted) return formatted;
  }
  if (body === undefined) {
    return message({ title: 'Webhook received', text: request.body.trim() ? clip(request.body, 4000) : `${request.method} with no body` });
  }
  const fields = Object.entries(json)
    .filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))
    .slice(0, 12)
    .map(([k, v]) => ({ [clip(k, 50)]: clip(str(v, String(v)), 200) }));
  const title = github ? `GitHub ${github} event` : str(json.event) || str(json.type) || str(json.title) || 'Webhook received';
  return message({
    title: clip(title, 200),
    text: clip(JSON.stringify(body, null, 2), 3000),
    slides: fields.length ? [{ type: 'label', title: 'Fields', data: fields }] : undefined,
  });
}
