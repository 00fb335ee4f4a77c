import type { ServiceProcess } from '@zapgate/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startGateway } from './gateway-env';
import { startPlatform, type Platform } from './platform-env';

const DEPLOY = join(__dirname, '..', 'deploy');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

/** Every metric name a PromQL expression reads (label names, functions and keywords left out). */
function metricsIn(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '');
  const names = withoutLabels.match(/\b(zapgate_[a-z0-9_]+|http_[a-z0-9_]+)\b/g) ?? [];
  return [...new Set(names)];
}

/** Whether parentheses and braces pair up: a rule that does not even balance would not load. */
function balanced(expr: string): boolean {
  const stack: string[] = [];
  for (const c of expr) {
    if ('({['.includes(c)) stack.push(c);
    else if (')}]'.includes(c) && '({['[')}]'.indexOf(c)] !== stack.pop()) return false;
  }
  return stack.length === 0;
}

describe('the operations kit: alert rules and dashboard over what the services export', () => {
  let platform: Platform;
  let gateway: ServiceProcess;
  /** Every series name the five processes export, histograms with their _bucket, _count and _sum. */
  const exported = new Set<string>();

  beforeAll(async () => {
    platform = await startPlatform('opskit');
    gateway = await startGateway(platform);
    for (const s of [...Object.values(platform.services), gateway]) {
      const text = await (await fetch(`${s.baseUrl}/metrics`)).text();
      for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        exported.add(name);
        if (type === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) exported.add(name + suffix);
      }
    }
  });

  afterAll(async () => {
    await gateway?.stop();
    await platform?.stop();
  });

  it('has alert rules that load, each with a severity and words for the person paged, over metrics that exist', () => {
    const doc = parse(readFileSync(join(DEPLOY, 'prometheus', 'zapgate-alerts.yml'), 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['ZapgateServiceDown', 'ZapgateBacklogGrowing', 'ZapgateDeliveriesFailing', 'ZapgateOAuthRefreshLate']),
    );
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    const problems = rules.flatMap((r) => [
      ...(['critical', 'warning'].includes(r.labels?.severity) ? [] : [`${r.alert}: severity`]),
      ...(r.annotations?.summary && r.annotations?.description ? [] : [`${r.alert}: annotations`]),
      ...(balanced(r.expr) ? [] : [`${r.alert}: unbalanced expression`]),
      ...(r.for === undefined || /^\d+[smh]$/.test(r.for) ? [] : [`${r.alert}: for`]),
      ...metricsIn(r.expr)
        .filter((m) => !exported.has(m))
        .map((m) => `${r.alert}: ${m} is not exported`),
    ]);
    expect(problems).toEqual([]);
  });

  it('has a Grafana dashboard whose every panel reads metrics that exist', () => {
    const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'zapgate-dashboard.json'), 'utf8')) as {
      uid: string;
      panels: { id: number; title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.uid).toBe('zapgate');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const problems = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => [
        ...(balanced(t.expr) ? [] : [`${p.title}: unbalanced expression`]),
        ...metricsIn(t.expr)
          .filter((m) => !exported.has(m))
          .map((m) => `${p.title}: ${m} is not exported`),
      ]),
    );
    expect(problems).toEqual([]);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
  });
});
