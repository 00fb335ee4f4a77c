import { z } from 'zod';

/**
 * What a ZAPI key or authtoken may do. Names follow Cliq's OAuth scopes where
 * Cliq has one (`ZohoCliq.Webhooks.CREATE` covers every messaging API, as in
 * Cliq); Zapgate's own features are `Zapgate.*`. A token may always read and
 * revoke itself (`/api/v1/tokens/current`), whatever its scopes.
 */
export const Scopes = {
  /** Post messages to channels, bots, chats and users; call extension and bot incoming webhooks. */
  WebhooksCreate: 'ZohoCliq.Webhooks.CREATE',
  /** Read stored messages of a channel, chat or bot, and follow them live (SSE). */
  MessagesRead: 'ZohoCliq.Messages.READ',
  /** List channels, chats and bots, and their members. */
  ChannelsRead: 'ZohoCliq.Channels.READ',
  /** Create channels and chats. */
  ChannelsCreate: 'ZohoCliq.Channels.CREATE',
  /** Add and remove members. */
  ChannelsUpdate: 'ZohoCliq.Channels.UPDATE',
  /** Create, list, change and delete outbound subscriptions; read and retry their deliveries. */
  SubscriptionsAll: 'Zapgate.Subscriptions.ALL',
} as const;
export type Scope = (typeof Scopes)[keyof typeof Scopes];

export const ALL_SCOPES: readonly Scope[] = Object.values(Scopes);

/** `<Group>.ALL` asks for every scope of its group (`ZohoCliq.Channels.ALL`); it is stored expanded. */
const GROUPS = new Map<string, Scope[]>();
for (const scope of ALL_SCOPES) {
  const group = `${scope.slice(0, scope.lastIndexOf('.'))}.ALL`;
  if (group !== scope) GROUPS.set(group, [...(GROUPS.get(group) ?? []), scope]);
}

/**
 * The legacy authtoken API's `SCOPE=<Service>/<api>` values. A Cliq service
 * scope maps onto the catalogue; another service's (`ZohoCRM/crmapi`) grants
 * nothing here, so it is refused when the authtoken is asked for.
 */
export const LEGACY_SCOPES: Readonly<Record<string, readonly Scope[]>> = {
  'ZohoCliq/webhooks': [Scopes.WebhooksCreate],
  'ZohoCliq/cliqapi': ALL_SCOPES,
};

/** The catalogue scopes a requested name stands for, or undefined if it names none. */
export function expandScope(name: string): readonly Scope[] | undefined {
  if ((ALL_SCOPES as readonly string[]).includes(name)) return [name as Scope];
  const legacy = Object.entries(LEGACY_SCOPES).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return GROUPS.get(name) ?? legacy?.[1];
}

/**
 * A token's or application's requested scopes, validated and expanded. None
 * requested means every scope (what a token without scopes could always do);
 * the stored list is always explicit, so enforcement has no special case.
 */
export const ScopeListSchema = z
  .array(z.string().max(64))
  .max(32)
  .superRefine((names, ctx) => {
    names.forEach((name, i) => {
      if (!expandScope(name)) {
        ctx.addIssue({ code: 'custom', path: [i], message: `unknown scope "${name}"; known: ${[...ALL_SCOPES, ...GROUPS.keys()].join(', ')}` });
      }
    });
  })
  .transform((names): Scope[] => (names.length ? [...new Set(names.flatMap((n) => expandScope(n)!))] : [...ALL_SCOPES]));

/** Does a token holding `granted` have `required`? */
export function grantsScope(granted: readonly string[], required: Scope): boolean {
  return granted.includes(required);
}
