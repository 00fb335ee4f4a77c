import { z } from 'zod';

/**
 * Cliq's message JSON (text, card, slides, buttons) with the limits of the v2
 * docs. Text: the v2 message-format docs allow 10,000 characters and the v3
 * schemas 5,000; Zapgate serves v2 routes, so 10,000.
 */
export const MESSAGE_TEXT_MAX = 10_000;
export const MAX_BUTTONS = 5;
export const MAX_SLIDES = 20;
export const SLIDES_TOTAL_MAX = 10_000;

const webUrl = (max: number) =>
  z
    .string()
    .max(max, `may have at most ${max} characters`)
    .regex(/^(https?|tel|sms|sip):/i, 'must be an http, https, tel, sms or sip URL');

const ConfirmSchema = z.looseObject({
  title: z.string().min(1).max(100),
  description: z.string().max(100).optional(),
  input: z.union([z.string().max(300), z.looseObject({ type: z.string().max(100) })]).optional(),
  emotion: z.enum(['positive', 'neutral', 'negative']).optional(),
  button_label: z.string().max(100).optional(),
  cancel_button_label: z.string().max(100).optional(),
});

export const ButtonActionSchema = z.discriminatedUnion(
  'type',
  [
    z.looseObject({
      type: z.literal('invoke.function'),
      data: z.looseObject({ name: z.string().min(1).max(100), owner: z.email().optional() }),
      confirm: ConfirmSchema.optional(),
    }),
    z.looseObject({
      type: z.literal('open.url'),
      data: z
        .looseObject({
          web: webUrl(256).optional(),
          windows: z.string().max(256).optional(),
          iOS: z.string().max(256).optional(),
          android: z.string().max(256).optional(),
        })
        .refine((d) => d.web || d.windows || d.iOS || d.android, 'give at least one of web, windows, iOS, android'),
      confirm: ConfirmSchema.optional(),
    }),
    z.looseObject({
      type: z.literal('preview.url'),
      data: z.looseObject({ url: z.url().max(500) }),
      confirm: ConfirmSchema.optional(),
    }),
    z.looseObject({
      type: z.literal('system.api'),
      data: z.looseObject({
        api: z
          .string()
          .regex(
            /^((audiocall|videocall|startchat|invite)\/[\w.@-]+|locationpermission)$/,
            'must be audiocall|videocall|startchat|invite/{zuid} or locationpermission',
          ),
      }),
      confirm: ConfirmSchema.optional(),
    }),
    z.looseObject({ type: z.literal('copy'), data: z.looseObject({ text: z.string().min(1).max(200) }), confirm: ConfirmSchema.optional() }),
  ],
  { error: 'action.type must be one of invoke.function, open.url, preview.url, system.api, copy' },
);

export const MessageButtonSchema = z.looseObject({
  label: z.string().trim().min(1, 'label is required').max(20, 'label may have at most 20 characters'),
  hint: z.string().max(100).optional(),
  type: z.enum(['+', '-'], { error: "type must be '+' or '-'" }),
  key: z.string().max(100).optional(),
  action: ButtonActionSchema,
});

export const CardSchema = z.looseObject({
  title: z.string().max(200).optional(),
  theme: z.enum(['modern-inline', 'poll', 'prompt'], { error: 'card.theme must be modern-inline, poll or prompt' }).optional(),
  thumbnail: z.url({ protocol: /^https$/ }).optional(),
});

const SlideSchema = z.discriminatedUnion(
  'type',
  [
    z.looseObject({
      type: z.literal('table'),
      title: z.string().optional(),
      data: z.looseObject({ headers: z.array(z.string()).min(1), rows: z.array(z.record(z.string(), z.unknown())) }),
    }),
    z.looseObject({ type: z.literal('list'), title: z.string().optional(), data: z.array(z.string()) }),
    z.looseObject({ type: z.literal('label'), title: z.string().optional(), data: z.array(z.record(z.string(), z.unknown())) }),
    z.looseObject({ type: z.literal('images'), title: z.string().optional(), data: z.array(z.url()) }),
    z.looseObject({ type: z.literal('text'), title: z.string().optional(), data: z.string() }),
  ],
  { error: 'slide type must be table, list, label, images or text' },
);

export const CliqMessageSchema = z
  .looseObject({
    text: z.string().max(MESSAGE_TEXT_MAX, `text may have at most ${MESSAGE_TEXT_MAX} characters`).optional(),
    card: CardSchema.optional(),
    // Counts are checked in checkCliqMessage: a failed array size check would hide the elements' own errors.
    slides: z.array(SlideSchema).optional(),
    buttons: z.array(MessageButtonSchema).optional(),
    bot: z.looseObject({ name: z.string().min(1).max(100), image: z.url({ protocol: /^https$/ }).optional() }).optional(),
    styles: z.looseObject({ background: z.enum(['red', 'yellow', 'green', 'blue', 'grey']).optional(), markdown: z.boolean().optional() }).optional(),
    reply_to: z.string().max(100).optional(),
    message_topic: z.string().max(255).optional(),
    sync_message: z.boolean().optional(),
  })
  .meta({ id: 'CliqMessage' });
export type CliqMessage = z.infer<typeof CliqMessageSchema>;

export interface MessageIssue {
  path: string;
  message: string;
}

export type MessageCheck = { ok: true; message: CliqMessage } | { ok: false; issues: MessageIssue[] };

/** Validates a Cliq message and lists every violation: field rules, element rules and the limits across them. */
export function checkCliqMessage(input: unknown): MessageCheck {
  const parsed = CliqMessageSchema.safeParse(input);
  const issues: MessageIssue[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
  const raw = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const { text, card, slides, buttons } = raw;
  if (Array.isArray(buttons) && buttons.length > MAX_BUTTONS) issues.push({ path: 'buttons', message: `at most ${MAX_BUTTONS} buttons` });
  if (Array.isArray(slides) && slides.length > MAX_SLIDES) issues.push({ path: 'slides', message: `at most ${MAX_SLIDES} slides` });
  if (Array.isArray(slides) && JSON.stringify(slides.map((s) => [s?.title ?? '', s?.data])).length > SLIDES_TOTAL_MAX) {
    issues.push({ path: 'slides', message: `slides may hold at most ${SLIDES_TOTAL_MAX} characters in all` });
  }
  const hasText = typeof text === 'string' && text.trim().length > 0;
  if (!hasText && !card && !(Array.isArray(slides) && slides.length)) {
    issues.push({ path: 'text', message: 'give at least one of text, card or slides' });
  }
  return issues.length || !parsed.success ? { ok: false, issues } : { ok: true, message: parsed.data };
}
