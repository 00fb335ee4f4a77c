import { record, table } from './render';

describe('CLI output', () => {
  it('aligns a table, marks empty cells and cuts long ones', () => {
    const rows = [
      { id: 'a', note: null, tags: ['x', 'y'] },
      { id: 'bbbb', note: 'n'.repeat(60), tags: [] },
    ];
    const out = table(rows, [
      { header: 'id', value: (r) => r.id },
      { header: 'note', value: (r) => r.note },
      { header: 'tags', value: (r) => r.tags },
    ]);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(`ID    NOTE${' '.repeat(46)}TAGS`);
    expect(lines[1]).toBe(`a     -${' '.repeat(49)}x,y`);
    expect(lines[2]).toBe(`bbbb  ${'n'.repeat(47)}…  -`);
    expect(table([], [{ header: 'id', value: () => 1 }])).toBe('(none)\n');
  });

  it('shows one object whole: a secret shown once is never cut', () => {
    const secret = 'zapk_' + 'a'.repeat(80);
    expect(record({ id: 1, token: secret, scopes: ['a', 'b'] })).toBe(`id      1\ntoken   ${secret}\nscopes  ["a","b"]\n`);
  });
});
