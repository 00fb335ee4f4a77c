/**
 * The Cliq message answered to a confirmed token-generation button: it shows
 * the new token (this once) and the application's incoming-webhook URL.
 */
export function tokenIssuedMessage(input: { applicationName: string; title: string; token: string; tokenName: string; incomingUrl: string }) {
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
  };
}
