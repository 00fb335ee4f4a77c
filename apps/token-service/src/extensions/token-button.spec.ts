import { TokenButtonSchema } from '@zapgate/contracts';

const valid = {
  label: 'Create Webhook',
  type: '+',
  action: {
    type: 'invoke.function',
    data: { name: 'authentication', owner: 'dev@example.com' },
    confirm: {
      title: 'Generate Webhooks for a GitLab Project',
      description: 'Connect to GitLab Projects from within Cliq',
      input: { type: 'user_webhook_token' },
    },
  },
};

const paths = (input: unknown) => {
  const result = TokenButtonSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.')).sort();
};

describe('token generation button schema (seeds 000/001)', () => {
  it("accepts the seed's GitLab example", () => {
    expect(paths(valid)).toEqual([]);
    expect(paths({ ...valid, hint: 'h'.repeat(100), type: '-' })).toEqual([]);
  });

  it('lists every violation at once', () => {
    const bad = {
      label: 'L'.repeat(21),
      hint: 'h'.repeat(101),
      type: '*',
      action: { type: 'open.url', data: { name: '', owner: 'not-an-email' }, confirm: { title: '', input: { type: 'text' } } },
    };
    expect(paths(bad)).toEqual([
      'action.confirm.description',
      'action.confirm.input.type',
      'action.confirm.title',
      'action.data.name',
      'action.data.owner',
      'action.type',
      'hint',
      'label',
      'type',
    ]);
  });

  it('requires the confirm dialog and its input', () => {
    expect(paths({ ...valid, action: { ...valid.action, confirm: undefined } })).toEqual(['action.confirm']);
    expect(paths({})).toEqual(['action', 'label', 'type']);
  });
});
