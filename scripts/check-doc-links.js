#!/usr/bin/env node
// Fails when a relative link in the README or docs/ points at a file or heading that does not exist:
// the docs were split across files, and a moved section must not leave dead links behind.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const walk = (dir) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.md') ? [path.join(dir, e.name)] : []));
const files = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md'].map((f) => path.join(ROOT, f)).concat(walk(path.join(ROOT, 'docs')));
// GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.
const anchorsOf = (file) =>
  new Set(
    [...fs.readFileSync(file, 'utf8').matchAll(/^#+ (.*)$/gm)].map((m) =>
      m[1]
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );

const broken = [];
for (const file of files) {
  const text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(link)) continue;
    const [target, anchor] = link.split('#');
    const resolved = target ? path.resolve(path.dirname(file), target) : file;
    if (!fs.existsSync(resolved)) broken.push(`${path.relative(ROOT, file)}: ${link} (no such file)`);
    else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) broken.push(`${path.relative(ROOT, file)}: ${link} (no such heading)`);
  }
}
if (broken.length) {
  process.stderr.write(`docs: broken links\n  ${broken.join('\n  ')}\n`);
  process.exit(1);
}
