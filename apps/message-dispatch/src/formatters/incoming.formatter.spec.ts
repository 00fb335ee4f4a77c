import { checkCliqMessage, type CapturedRequest } from '@zapgate/contracts';
import { formatIncoming } from './incoming.formatter';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const githubExamples = require('@octokit/webhooks-examples') as { name: string; examples: unknown[] }[];

const request = (body: string, headers: Record<string, string> = {}): CapturedRequest => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  parameters: {},
  body,
});

describe('formatIncoming', () => {
  const events = ['push', 'pull_request', 'issues', 'release', 'workflow_run'];

  it.each(events)("turns every published GitHub '%s' example into a valid Cliq card", (name) => {
    const examples = githubExamples.find((e) => e.name === name)!.examples;
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const message = formatIncoming(request(JSON.stringify(example), { 'X-GitHub-Event': name }));
      expect(checkCliqMessage(message)).toMatchObject({ ok: true });
      expect(message.card?.title).not.toMatch(/undefined|\[object/);
      expect(message.card?.title?.length).toBeGreaterThan(10);
    }
  });

  it("names a workflow run by its workflow when the run's own name is empty (as in GitHub's example)", () => {
    for (const example of githubExamples.find((e) => e.name === 'workflow_run')!.examples as any[]) {
      const body = { ...example, workflow_run: { ...example.workflow_run, name: '' }, workflow: { ...example.workflow, name: 'CI' } };
      const message = formatIncoming(request(JSON.stringify(body), { 'x-github-event': 'workflow_run' }));
      expect(message.card?.title).toMatch(/^Workflow CI #/);
    }
  });

  it('names the merged pull request, its branches and a link', () => {
    const example = githubExamples.find((e) => e.name === 'pull_request')!.examples.find((e: any) => e.action === 'closed') as any;
    const message = formatIncoming(
      request(JSON.stringify({ ...example, pull_request: { ...example.pull_request, merged: true } }), { 'x-github-event': 'pull_request' }),
    );
    expect(message.card?.title).toContain('merged pull request');
    expect(message.buttons?.[0]).toMatchObject({ label: 'View pull request', action: { type: 'open.url' } });
  });

  it.each([
    [
      {
        object_kind: 'push',
        user_name: 'Ann',
        ref: 'refs/heads/main',
        total_commits_count: 1,
        project: { path_with_namespace: 'g/p', web_url: 'https://gl.example/g/p' },
        commits: [{ id: 'abcdef123456', message: 'Fix\nmore', url: 'https://gl.example/c', author: { name: 'Ann' } }],
      },
      'Ann pushed 1 commit to g/p:main',
    ],
    [
      {
        object_kind: 'pipeline',
        user: { name: 'Bo' },
        project: { path_with_namespace: 'g/p', web_url: 'https://gl.example/g/p' },
        object_attributes: { id: 9, status: 'failed', ref: 'main' },
      },
      'Pipeline #9 failed in g/p',
    ],
    [
      { object_kind: 'issue', user: { name: 'Cy' }, project: { path_with_namespace: 'g/p' }, object_attributes: { iid: 3, title: 'Crash', action: 'close' } },
      'Cy closed issue #3 in g/p',
    ],
    [
      {
        object_kind: 'merge_request',
        user: { name: 'Di' },
        project: { path_with_namespace: 'g/p' },
        object_attributes: { iid: 4, title: 'MR', action: 'merge' },
      },
      'Di merged merge request !4 in g/p',
    ],
    [
      {
        object_kind: 'merge_request',
        user: { name: 'Administrator' },
        project: { path_with_namespace: 'g/p' },
        object_attributes: { iid: 1, title: 'MR', action: 'open' },
      },
      'Administrator opened merge request !1 in g/p',
    ],
    [
      {
        object_kind: 'merge_request',
        user: { name: 'Ed' },
        project: { path_with_namespace: 'g/p' },
        object_attributes: { iid: 2, title: 'MR', action: 'approval' },
      },
      'Ed approved merge request !2 in g/p',
    ],
    [
      {
        object_kind: 'merge_request',
        user: { name: 'Fay' },
        project: { path_with_namespace: 'g/p' },
        object_attributes: { iid: 5, title: 'MR', state: 'locked' },
      },
      'Fay locked merge request !5 in g/p',
    ],
  ])('formats GitLab events', (body, title) => {
    const message = formatIncoming(request(JSON.stringify(body), { 'x-gitlab-event': 'Hook' }));
    expect(message.card?.title).toBe(title);
    expect(checkCliqMessage(message)).toMatchObject({ ok: true });
  });

  it('shows other JSON as its fields and plain bodies as text, always within Cliq limits', () => {
    const json = formatIncoming(request(JSON.stringify({ type: 'alert', level: 3, nested: { a: 1 }, long: 'x'.repeat(50_000) })));
    expect(json.card?.title).toBe('alert');
    expect(json.slides?.[0]).toMatchObject({ type: 'label', data: [{ type: 'alert' }, { level: '3' }, { long: `${'x'.repeat(199)}…` }] });
    expect(checkCliqMessage(json)).toMatchObject({ ok: true });
    const text = formatIncoming({ ...request('plain words'), headers: { 'content-type': 'text/plain' } });
    expect(text.text).toBe('plain words');
    expect(checkCliqMessage(formatIncoming(request('')))).toMatchObject({ ok: true });
    expect(checkCliqMessage(formatIncoming(request('{"broken'.repeat(5000))))).toMatchObject({ ok: true });
  });
});
