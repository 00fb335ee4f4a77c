import { ALL_SCOPES, expandScope, grantsScope, ScopeListSchema, Scopes } from './scope-catalogue';

describe('scope catalogue', () => {
  it('gives every scope when none is asked for, and stores the list expanded and deduplicated', () => {
    expect(ScopeListSchema.parse([])).toEqual(ALL_SCOPES);
    expect(ScopeListSchema.parse(['ZohoCliq.Channels.ALL', Scopes.ChannelsRead])).toEqual([Scopes.ChannelsRead, Scopes.ChannelsCreate, Scopes.ChannelsUpdate]);
    expect(ScopeListSchema.parse(['zohocliq/webhooks'])).toEqual([Scopes.WebhooksCreate]);
  });

  it('refuses unknown scopes by position, naming the known ones', () => {
    const result = ScopeListSchema.safeParse([Scopes.MessagesRead, 'messages', 'ZohoCRM/crmapi']);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path)).toEqual([[1], [2]]);
    expect(result.error!.issues[0].message).toContain(Scopes.WebhooksCreate);
  });

  it('grants only what was granted', () => {
    expect(grantsScope([Scopes.WebhooksCreate], Scopes.WebhooksCreate)).toBe(true);
    expect(grantsScope([Scopes.WebhooksCreate], Scopes.MessagesRead)).toBe(false);
    expect(grantsScope([], Scopes.WebhooksCreate)).toBe(false);
    expect(expandScope('Zapgate.Subscriptions.ALL')).toEqual([Scopes.SubscriptionsAll]);
  });
});
