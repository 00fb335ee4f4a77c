import { Scopes } from '@zapgate/contracts';
import { routeScopes, routesWithoutScope } from '@zapgate/token-client';
import { EventsController } from './events/events.controller';
import { IncomingController } from './incoming/incoming.controller';
import { MessagesController } from './messages/messages.controller';
import { VerificationController } from './verification/verification.controller';

const controllers = [MessagesController, IncomingController, EventsController, VerificationController];

describe('webhook-ingest token routes', () => {
  it('name a scope on every route a token opens', () => {
    expect(routesWithoutScope(controllers)).toEqual([]);
  });

  it('need ZohoCliq.Webhooks.CREATE to post and to call incoming webhooks', () => {
    const scopes = routeScopes(controllers);
    expect(Object.keys(scopes).length).toBeGreaterThanOrEqual(6);
    expect(new Set(Object.values(scopes))).toEqual(new Set([Scopes.WebhooksCreate]));
  });
});
