import { controllersUnder, undocumentedRoutes } from '@zapgate/testing';

describe('the OpenAPI document', () => {
  it('describes every route: its body, its query parameters and its answer', () => {
    const controllers = controllersUnder(__dirname);
    expect(controllers.length).toBeGreaterThan(0);
    expect(undocumentedRoutes(controllers)).toEqual([]);
  });
});
