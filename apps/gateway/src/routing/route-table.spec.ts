import { RouteTable } from './route-table';

const doc = (paths: Record<string, string[]>) => ({
  paths: Object.fromEntries(Object.entries(paths).map(([p, methods]) => [p, Object.fromEntries(methods.map((m) => [m, {}]))])),
});

describe('the route table', () => {
  const table = new RouteTable({
    token: doc({ '/api/v1/admin/users/{userId}': ['get'], '/api/v2/applications/{appId}/functions/{name}/invoke': ['post'], '/health/ready': ['get'] }),
    ingest: doc({ '/api/v2/chats/{chatId}/message': ['post'], '/api/v2/applications/{appId}/incoming': ['get', 'post'] }),
    dispatch: doc({ '/api/v2/{collection}/{name}/messages': ['get'], '/api/v2/chats': ['post'], '/api/v2/{collection}': ['get'] }),
    oauth: doc({ '/api/v1/connectors': ['get', 'post'] }),
  });

  it('sends each documented method and path to its service, static segments first', () => {
    expect(table.serviceFor('POST', '/api/v2/chats/c1/message?zapikey=x')).toBe('ingest');
    expect(table.serviceFor('POST', '/api/v2/chats')).toBe('dispatch');
    expect(table.serviceFor('GET', '/api/v2/chats')).toBe('dispatch');
    expect(table.serviceFor('GET', '/api/v2/chats/c1/messages')).toBe('dispatch');
    expect(table.serviceFor('POST', '/api/v2/applications/a/incoming')).toBe('ingest');
    expect(table.serviceFor('POST', '/api/v2/applications/a/functions/f/invoke')).toBe('token');
    expect(table.serviceFor('GET', '/api/v1/admin/users/u1')).toBe('token');
  });

  it("routes nothing undocumented, and keeps services' own health routes off the origin", () => {
    expect(table.serviceFor('DELETE', '/api/v1/connectors')).toBeUndefined();
    expect(table.servesPath('/api/v1/connectors')).toBe(true);
    expect(table.serviceFor('GET', '/api/v1/nothing')).toBeUndefined();
    expect(table.servesPath('/api/v1/nothing')).toBe(false);
    expect(table.serviceFor('GET', '/health/ready')).toBeUndefined();
  });

  it('refuses two services claiming one route', () => {
    expect(
      () => new RouteTable({ token: doc({ '/api/v1/x/{id}': ['get'] }), ingest: doc({ '/api/v1/x/{other}': ['get'] }), dispatch: doc({}), oauth: doc({}) }),
    ).toThrow('GET /api/v1/x/{other} is served by both token and ingest');
  });
});
