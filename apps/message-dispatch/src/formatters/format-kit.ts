import { MESSAGE_TEXT_MAX, type CliqMessage } from '@zapgate/contracts';

/** Loose access into a sender's JSON without trusting its shape. */
export type Json = Record<string, unknown>;
export const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
export const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const clip = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
export const firstLine = (s: string): string => s.split('\n')[0] ?? '';

/** A Cliq link in message markdown. */
export const link = (label: string, url: string): string => (/^https?:\/\//.test(url) ? `[${label}](${url})` : label);

/** An open.url button, or nothing when the URL is not one Cliq accepts. */
export function urlButton(label: string, url: string): NonNullable<CliqMessage['buttons']>[number][] {
  if (!/^https?:\/\//i.test(url) || url.length > 256) return [];
  return [{ label: clip(label, 20), type: '+', action: { type: 'open.url', data: { web: url } } }];
}

export function message(input: { title: string; text: string; buttons?: CliqMessage['buttons']; slides?: CliqMessage['slides'] }): CliqMessage {
  return {
    text: clip(input.text, MESSAGE_TEXT_MAX),
    card: { title: clip(input.title, 200), theme: 'modern-inline' },
    ...(input.slides?.length ? { slides: input.slides } : {}),
    ...(input.buttons?.length ? { buttons: input.buttons.slice(0, 5) } : {}),
  };
}

export const branchOf = (ref: string): string => ref.replace(/^refs\/(heads|tags)\//, '');
