import { Scopes } from '@zapgate/contracts';
import { routeScopes, routesWithoutScope } from '@zapgate/token-client';
import { MembersController } from './channels/members.controller';
import { MessagesController } from './channels/messages.controller';
import { HandlerSecretsController } from './handlers/handler-secrets.controller';
import { SubscriptionsController } from './outbound/subscriptions.controller';

const controllers = [MessagesController, MembersController, SubscriptionsController, HandlerSecretsController];

describe('message-dispatch token routes', () => {
  it('name a scope on every route a token opens', () => {
    expect(routesWithoutScope(controllers)).toEqual([]);
  });

  it('need the documented scope each', () => {
    const scopes = routeScopes(controllers);
    expect(scopes).toMatchObject({
      'MessagesController.list': Scopes.MessagesRead,
      'MessagesController.stream': Scopes.MessagesRead,
      'MembersController.createChannel': Scopes.ChannelsCreate,
      'MembersController.createChat': Scopes.ChannelsCreate,
      'MembersController.mine': Scopes.ChannelsRead,
      'MembersController.members': Scopes.ChannelsRead,
      'MembersController.addMembers': Scopes.ChannelsUpdate,
      'MembersController.removeMember': Scopes.ChannelsUpdate,
    });
    const subscriptionRoutes = Object.entries(scopes).filter(([route]) => route.startsWith('SubscriptionsController.'));
    expect(subscriptionRoutes.length).toBeGreaterThanOrEqual(10);
    expect(new Set(subscriptionRoutes.map(([, scope]) => scope))).toEqual(new Set([Scopes.SubscriptionsAll]));
  });
});
