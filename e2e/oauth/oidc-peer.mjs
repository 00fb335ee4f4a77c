// A real OAuth 2.0 / OpenID provider (panva/oidc-provider) for the OAuth tests, in its own process:
// authorization code with PKCE, refresh tokens that rotate on every use (a reused one revokes the whole
// grant), revocation, short access-token lifetimes, and login + consent answered without forms.
// Usage: node oidc-peer.mjs <port> '<json config>'   → sends {ready: true} to the parent over IPC.
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const options = JSON.parse(process.argv[3] ?? '{}');
const issuer = `http://127.0.0.1:${port}`;
const stats = { codeGrants: 0, refreshes: 0, refreshErrors: {}, revocations: 0, byGrant: {} };
let failTokenEndpoint = 0;

const provider = new Provider(issuer, {
  clients: options.clients,
  scopes: ['openid', 'offline_access', 'api'],
  ttl: { AccessToken: options.accessTokenTtl ?? 10, AuthorizationCode: 60, RefreshToken: 3600, Grant: 3600, Session: 3600, Interaction: 600 },
  rotateRefreshToken: true,
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  features: { revocation: { enabled: true }, devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  cookies: { keys: ['peer-cookie-key'] },
  jwks: options.jwks,
});

provider.use(async (ctx, next) => {
  if (ctx.path === '/stats') {
    ctx.body = stats;
    return;
  }
  if (ctx.path === '/control' && ctx.method === 'POST') {
    failTokenEndpoint = Number(ctx.query.fail_token_requests ?? 0);
    ctx.body = { failTokenEndpoint };
    return;
  }
  if (ctx.path === '/token' && failTokenEndpoint > 0) {
    failTokenEndpoint--;
    ctx.status = 503;
    ctx.body = { error: 'temporarily_unavailable' };
    return;
  }
  if (ctx.path === '/token/revocation') {
    await next();
    if (ctx.status === 200) stats.revocations++;
    return;
  }
  const interaction = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (interaction && ctx.method === 'GET') {
    // Scripted login and consent: the account is the login_hint, every requested scope is granted.
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const accountId = details.params.login_hint || 'alice';
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    for (const resource of Object.keys(details.prompt.details.missingResourceScopes ?? {})) grant.addResourceScope(resource, details.params.scope);
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  await next();
});

provider.on('grant.success', (ctx) => {
  const type = ctx.oidc.params.grant_type;
  if (type === 'authorization_code') stats.codeGrants++;
  if (type === 'refresh_token') {
    stats.refreshes++;
    const grantId = ctx.oidc.entities.RefreshToken?.grantId ?? 'unknown';
    (stats.byGrant[grantId] ??= []).push(Date.now());
  }
});
provider.on('grant.error', (ctx, err) => {
  if (ctx.oidc?.params?.grant_type === 'refresh_token')
    stats.refreshErrors[err.error_description ?? err.message] = (stats.refreshErrors[err.error_description ?? err.message] ?? 0) + 1;
});

provider.listen(port, '127.0.0.1', () => process.send?.({ ready: true, issuer }));
