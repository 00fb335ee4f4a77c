import { obj, str } from '../formatters/format-kit';

export type SubscriptionKind = 'standard-webhooks' | 'slack' | 'mattermost' | 'cliq';

export interface OutboundMessage {
  id: string;
  target: { kind: string; name: string };
  sender: { type: 'user'; id: string } | { type: 'bot'; name: string } | null;
  time: string;
  content: Record<string, unknown>;
}

/** Slack truncates longer messages at 40,000 characters; Mattermost splits posts at 16,383. */
export const SLACK_TEXT_MAX = 40_000;
export const MATTERMOST_POST_MAX = 16_383;
const SLACK_SECTION_MAX = 3000;
/** Slack refuses a message with more blocks than this. */
const SLACK_MAX_BLOCKS = 50;

/** The bodies to POST, in order; more than one only where the receiver's limit splits a message. */
export function mapPayload(kind: SubscriptionKind, message: OutboundMessage): string[] {
  // An operational event is already {type, data}: sent as it is, whatever the endpoint's kind.
  if (message.target.kind === 'operations')
    return [JSON.stringify({ type: message.content.type, timestamp: new Date().toISOString(), data: message.content.data })];
  switch (kind) {
    case 'standard-webhooks':
      return [JSON.stringify({ type: 'message.created', timestamp: new Date().toISOString(), data: message })];
    case 'slack':
      return [JSON.stringify(slackPayload(message))];
    case 'mattermost':
      return splitText(markdownOf(message), MATTERMOST_POST_MAX).map((text) => JSON.stringify({ text }));
    case 'cliq': {
      const { sync_message: _sync, ...content } = message.content;
      return [JSON.stringify(content)];
    }
  }
}

/** Cliq message → Markdown text: the card title in bold, the text, the slides as lines, link buttons as links. */
export function markdownOf(message: OutboundMessage): string {
  const c = message.content;
  const parts: string[] = [];
  const title = str(obj(c.card).title);
  if (title) parts.push(`**${title}**`);
  if (str(c.text)) parts.push(str(c.text));
  for (const raw of slidesOf(c)) parts.push(slideMarkdown(obj(raw)));
  const links = linkButtons(c).map((b) => `[${b.label}](${b.url})`);
  if (links.length) parts.push(links.join(' · '));
  return parts.filter(Boolean).join('\n\n');
}

function slidesOf(content: Record<string, unknown>): unknown[] {
  return Array.isArray(content.slides) ? content.slides : [];
}

/** One slide as Markdown lines: its title in bold, then its text, list, labels or table rows. */
function slideMarkdown(slide: Record<string, unknown>): string {
  const lines: string[] = str(slide.title) ? [`**${str(slide.title)}**`] : [];
  const data = slide.data;
  if (slide.type === 'text') lines.push(str(data));
  else if (slide.type === 'list' || slide.type === 'images') for (const item of Array.isArray(data) ? data : []) lines.push(`- ${str(item)}`);
  else if (slide.type === 'label')
    for (const entry of Array.isArray(data) ? data : []) for (const [k, v] of Object.entries(obj(entry))) lines.push(`${k}: ${str(v, JSON.stringify(v))}`);
  else if (slide.type === 'table') {
    const t = obj(data);
    const headers = (Array.isArray(t.headers) ? t.headers : []).map((h) => str(h));
    lines.push(headers.join(' | '));
    for (const row of Array.isArray(t.rows) ? t.rows : []) lines.push(headers.map((h) => str(obj(row)[h])).join(' | '));
  }
  return lines.join('\n');
}

function linkButtons(content: Record<string, unknown>): { label: string; url: string }[] {
  return (Array.isArray(content.buttons) ? content.buttons : [])
    .map(obj)
    .filter((b) => obj(b.action).type === 'open.url' && str(obj(obj(b.action).data).web))
    .map((b) => ({ label: str(b.label), url: str(obj(obj(b.action).data).web) }));
}

/** Slack's mrkdwn: `<url|label>` links and single-asterisk bold. */
export function toSlackMrkdwn(markdown: string): string {
  return markdown.replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<$2|$1>').replace(/\*\*([^*]+)\*\*/g, '*$1*');
}

function slackPayload(message: OutboundMessage): Record<string, unknown> {
  const text = truncate(toSlackMrkdwn(markdownOf(message)), SLACK_TEXT_MAX);
  const title = str(obj(message.content.card).title);
  const body = toSlackMrkdwn(str(message.content.text));
  const buttons = linkButtons(message.content);
  // Blocks only where they fit Slack's block limits; the text alone always carries the whole message.
  if (body.length > SLACK_SECTION_MAX) return { text };
  const blocks: unknown[] = [];
  if (title) blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(title, 150) } });
  if (body) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: body } });
  // Each slide (table, labels, list, text) as its own section: Slack shows `text` only in notifications.
  for (const raw of slidesOf(message.content)) {
    const slide = toSlackMrkdwn(slideMarkdown(obj(raw)));
    if (slide && blocks.length < SLACK_MAX_BLOCKS - 1) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(slide, SLACK_SECTION_MAX) } });
  }
  if (buttons.length) {
    blocks.push({
      type: 'actions',
      elements: buttons.slice(0, 5).map((b) => ({ type: 'button', text: { type: 'plain_text', text: truncate(b.label, 75) }, url: b.url })),
    });
  }
  return blocks.length ? { text, blocks } : { text };
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Splits at line breaks where it can, hard-splits lines longer than `max`. */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    let rest = line;
    while (rest.length > max) {
      if (current) {
        parts.push(current);
        current = '';
      }
      parts.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    const joined = current ? `${current}\n${rest}` : rest;
    if (joined.length > max) {
      parts.push(current);
      current = rest;
    } else current = joined;
  }
  if (current) parts.push(current);
  return parts;
}
