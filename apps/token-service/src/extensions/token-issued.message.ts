/**
 * The Cliq message answered to a confirmed token-generation button: it shows
 * the new token (this once), the application's incoming-webhook URL, and a
 * button to the user's own token list (a signed link; they have no password).
 */
export function tokenIssuedMessage(input: {
  applicationName: string;
  title: string;
  token: string;
  tokenName: string;
  incomingUrl: string;
  /** A signed link where the user sees and revokes their tokens of this extension. */
  manageUrl: string;
}) {
  return {
    text: `Here is your extension token for *${input.applicationName}*. Copy it now: it will not be shown again.`,
    card: { title: input.title.slice(0, 200), theme: 'modern-inline' },
    slides: [
      {
        type: 'label',
        title: 'Extension token (ZAPI key)',
        data: [{ Token: input.token }, { Name: input.tokenName }],
      },
      { type: 'text', title: 'Incoming webhook URL', data: input.incomingUrl },
    ],
    buttons: [{ label: 'Manage your tokens', type: '+', action: { type: 'open.url', data: { web: input.manageUrl } } }],
  };
}
