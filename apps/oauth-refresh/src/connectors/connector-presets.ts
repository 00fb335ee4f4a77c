/** Zoho Accounts per data centre (research: cliq-api.md §6.6); the callback's `location` picks one. */
export const ZOHO_ACCOUNTS_SERVERS: Record<string, string> = {
  us: 'https://accounts.zoho.com',
  eu: 'https://accounts.zoho.eu',
  in: 'https://accounts.zoho.in',
  au: 'https://accounts.zoho.com.au',
  jp: 'https://accounts.zoho.jp',
  ca: 'https://accounts.zohocloud.ca',
  sa: 'https://accounts.zoho.sa',
  uk: 'https://accounts.zoho.uk',
  cn: 'https://accounts.zoho.com.cn',
};

export interface PresetDefaults {
  authorizationUrl: string;
  tokenUrl: string;
  refreshUrl: string;
  revokeUrl: string | null;
  scopeSeparator: string;
  accountsServers: Record<string, string>;
  /** Refreshes allowed per refresh token per window; null = no known limit. */
  refreshBudget: { count: number; windowSeconds: number } | null;
}

export const PRESETS = {
  zoho: {
    authorizationUrl: 'https://accounts.zoho.com/oauth/v2/auth',
    tokenUrl: 'https://accounts.zoho.com/oauth/v2/token',
    refreshUrl: 'https://accounts.zoho.com/oauth/v2/token',
    revokeUrl: 'https://accounts.zoho.com/oauth/v2/token/revoke',
    scopeSeparator: ',',
    accountsServers: ZOHO_ACCOUNTS_SERVERS,
    // "10 access-token requests per 10 minutes" per refresh token; the 11th answers 200 "Access Denied".
    refreshBudget: { count: 10, windowSeconds: 600 },
  },
  generic: {
    authorizationUrl: '',
    tokenUrl: '',
    refreshUrl: '',
    revokeUrl: null,
    scopeSeparator: ' ',
    accountsServers: {},
    refreshBudget: null,
  },
} as const satisfies Record<string, PresetDefaults>;

export type PresetName = keyof typeof PRESETS;
