import { checkCliqMessage } from './message.schema';

const button = { label: 'Open', type: '+', action: { type: 'open.url', data: { web: 'https://example.com' } } };

describe('checkCliqMessage', () => {
  it('accepts text, card, slides and buttons within the limits', () => {
    const result = checkCliqMessage({
      text: 'Build passed',
      card: { title: 'CI', theme: 'modern-inline' },
      slides: [
        { type: 'table', title: 'Jobs', data: { headers: ['job', 'status'], rows: [{ job: 'test', status: 'ok' }] } },
        { type: 'list', data: ['a', 'b'] },
        { type: 'label', data: [{ Branch: 'main' }] },
      ],
      buttons: [button, { label: 'Run', type: '-', action: { type: 'invoke.function', data: { name: 'rerun' } } }],
      bot: { name: 'CI bot' },
    });
    expect(result.ok).toBe(true);
  });

  it('lists violations of elements and of the limits together', () => {
    const result = checkCliqMessage({
      text: 'x'.repeat(10_001),
      card: { theme: 'fancy' },
      buttons: [...Array.from({ length: 5 }, () => button), { label: 'way too long a label!', type: '*', action: { type: 'launch' } }],
      slides: Array.from({ length: 21 }, () => ({ type: 'text', data: 'x' })),
    });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['buttons', 'buttons.5.action.type', 'buttons.5.label', 'buttons.5.type', 'card.theme', 'slides', 'text']);
  });

  it('checks button action data by type', () => {
    const bad = checkCliqMessage({
      text: 't',
      buttons: [
        { label: 'a', type: '+', action: { type: 'open.url', data: { web: 'ftp://x' } } },
        { label: 'b', type: '+', action: { type: 'system.api', data: { api: 'format/c:' } } },
        { label: 'c', type: '+', action: { type: 'copy', data: { text: 'x'.repeat(201) } } },
        { label: 'd', type: '+', action: { type: 'preview.url', data: { url: 'not a url' } } },
      ],
    });
    expect(bad.ok ? [] : bad.issues.map((i) => i.path).sort()).toEqual([
      'buttons.0.action.data.web',
      'buttons.1.action.data.api',
      'buttons.2.action.data.text',
      'buttons.3.action.data.url',
    ]);
  });

  it('requires at least one of text, card or slides, and caps slide content', () => {
    expect(checkCliqMessage({}).ok).toBe(false);
    expect(checkCliqMessage({ text: '   ' }).ok).toBe(false);
    expect(checkCliqMessage({ slides: [{ type: 'text', data: 'y'.repeat(10_001) }] }).ok).toBe(false);
    expect(checkCliqMessage({ card: { title: 'only a card' } }).ok).toBe(true);
  });
});
