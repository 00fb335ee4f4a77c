import type { ServiceProcess } from '@zapgate/testing';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startGateway } from './gateway-env';
import { ADMIN_KEY, startPlatform, type Platform } from './platform-env';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '.artifacts', 'console');
// Playwright waits on a slow machine too, but never for ever.
const SLOW = { timeout: 30_000 };

describe('the console, in a real browser', () => {
  let platform: Platform;
  let gateway: ServiceProcess;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const open = async (name: string) => {
    await page.getByRole('navigation', { name: 'console' }).getByRole('link', { name }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor(SLOW);
  };
  const post = (token: string, text: string) =>
    fetch(`${gateway.baseUrl}/api/v2/channelsbyname/journey/message?zapikey=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    platform = await startPlatform('console');
    gateway = await startGateway(platform);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(SLOW.timeout);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await platform?.stop();
  });

  it('signs in as operator, creates a user, an application and a token, and follows a webhook to the channel, the events and the usage chart', async () => {
    await page.goto(`${gateway.baseUrl}/console/`);
    await shot('01-sign-in');
    // Keyboard only: the key field is labelled, Enter submits.
    await page.getByLabel('Admin key').focus();
    await page.keyboard.type('not-the-key');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: /key/i }).waitFor();
    await page.getByLabel('Admin key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in as operator' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();

    const users = page.getByRole('form', { name: 'create user' });
    await users.getByLabel('E-mail').fill('journey@example.com');
    await users.getByLabel('Display name').fill('Journey');
    await users.getByRole('button', { name: 'Create user' }).click();
    const row = page.getByRole('table', { name: 'users' }).getByRole('row', { name: /journey@example.com/ });
    await row.waitFor();
    await shot('02-users');

    await open('Applications');
    const apps = page.getByRole('form', { name: 'create application' });
    await apps.getByLabel('Name').fill('Journey app');
    await apps.getByLabel('Owner e-mail').fill('owner@example.com');
    await apps.getByRole('button', { name: 'Create application' }).click();
    await expectText(page.getByTestId('secret').first(), /^zapp_/);
    await shot('03-applications');

    // From the user's row to their tokens: the user id comes along.
    await open('Users');
    await row.getByRole('button', { name: 'Tokens' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tokens' }).waitFor();
    const create = page.getByRole('form', { name: 'create token' });
    await create.getByLabel('Token name').fill('journey laptop');
    await create.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('secret').textContent())!;
    expect(secret).toMatch(/^zapk_/);
    await shot('04-token-once');
    // Shown once: the list knows only its prefix and last four.
    const tokenRow = page.getByRole('table', { name: 'tokens' }).getByRole('row', { name: /journey laptop/ });
    await expectText(tokenRow, new RegExp(`${secret.slice(0, 9)}…${secret.slice(-4)}`));
    expect(await tokenRow.textContent()).not.toContain(secret);

    expect((await post(secret, 'hello from the journey')).status).toBe(204);

    await open('Events');
    await page
      .getByRole('table', { name: 'events' })
      .getByRole('row', { name: /channel-post/ })
      .first()
      .waitFor();
    await shot('05-events');

    await open('Channels');
    await page.getByLabel('Name').fill('journey');
    const messages = page.getByRole('list', { name: 'messages' });
    await messages.getByText('hello from the journey').waitFor();
    await page.getByText('Live: new messages appear').waitFor();
    // While the page is open: the next message arrives over the stream, no reload.
    expect((await post(secret, 'and this one *live*')).status).toBe(204);
    await messages.locator('strong', { hasText: 'live' }).waitFor();
    await shot('06-channels');

    await open('Tokens');
    await page
      .getByRole('table', { name: 'tokens' })
      .getByRole('row', { name: /journey laptop/ })
      .getByRole('button', { name: 'Usage' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    // Usage is counted exactly (the two posts, and the channel page's reads as this token), flushed within
    // seconds; the page refreshes until it shows what the API counts, both posts included.
    const tokenId = new URL(page.url()).hash.split('token=')[1];
    let shown = '';
    let counted = -1;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await page.waitForTimeout(500)) {
      const usage = (await (await fetch(`${gateway.baseUrl}/api/v1/admin/tokens/${tokenId}/usage`, { headers: { 'x-admin-key': ADMIN_KEY } })).json()) as {
        total: number;
      };
      counted = usage.total;
      shown = (
        (await page
          .getByTestId('usage-total')
          .textContent()
          .catch(() => '')) ?? ''
      ).trim();
      if (counted >= 2 && shown === String(counted)) break;
    }
    expect({ shown, counted: String(counted) }).toEqual({ shown: String(counted), counted: String(counted) });
    expect(counted).toBeGreaterThanOrEqual(2);
    await page
      .getByRole('img', { name: /requests per hour/ })
      .locator('canvas')
      .first()
      .waitFor();
    await shot('07-usage');

    await open('Tokens');
    page.once('dialog', (dialog) => void dialog.accept());
    const active = page.getByRole('table', { name: 'tokens' }).getByRole('row', { name: /journey laptop/ });
    await active.getByRole('button', { name: 'Revoke' }).click();
    await expectText(active, /revoked/);
    let refused = 0;
    for (let i = 0; i < 50 && refused !== 401; i++) refused = (await post(secret, 'after revoke')).status;
    expect(refused).toBe(401);
  });

  it("lets an application's owner in with the owner key, to its own tokens, events and connections only", async () => {
    const app = (await (
      await fetch(`${gateway.baseUrl}/api/v1/admin/applications`, {
        method: 'POST',
        headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Owned app', owner_email: 'owner@example.com' }),
      })
    ).json()) as { id: string; owner_key: string };
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const owner = await context.newPage();
    try {
      await owner.goto(`${gateway.baseUrl}/console/`);
      const form = owner.getByRole('form', { name: 'owner sign-in' });
      await form.getByLabel('Application id').fill(app.id);
      await form.getByLabel('Owner key').fill('zapo_wrong');
      await form.getByRole('button', { name: 'Sign in as owner' }).click();
      await owner.getByRole('alert').waitFor();
      await form.getByLabel('Owner key').fill(app.owner_key);
      await form.getByRole('button', { name: 'Sign in as owner' }).click();
      await owner.getByRole('heading', { level: 1, name: 'Applications' }).waitFor();
      await owner.getByText(/Calls to your handlers are signed/).waitFor();
      const nav = await owner.getByRole('navigation', { name: 'console' }).getByRole('link').allTextContents();
      expect(nav).toEqual(['Applications', 'Events', 'Connections']);
      await owner.getByRole('navigation', { name: 'console' }).getByRole('link', { name: 'Events' }).click();
      expect(await owner.getByLabel('Application id').inputValue()).toBe(app.id);
      await owner.screenshot({ path: join(SHOTS, '10-owner-events.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('shows deliveries, connections and the system, and fits a phone as well as 1280×800', async () => {
    for (const name of ['Deliveries', 'Connections', 'System']) {
      await open(name);
      await shot(`08-${name.toLowerCase()}`);
    }
    await page
      .getByRole('table', { name: 'services' })
      .getByRole('row', { name: /webhook-ingest.*ready/ })
      .waitFor();
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(viewport);
      for (const name of ['Users', 'Tokens', 'Events', 'Channels', 'System']) {
        await open(name);
        // Nothing wider than the screen: wide tables scroll inside their own box.
        // Runs in the page: the DOM is there, not in this file's types.
        const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect({ page: name, width: viewport.width, overflow }).toEqual({ page: name, width: viewport.width, overflow: 0 });
      }
    }
    await shot('09-phone-system');
  });
});

async function expectText(locator: Locator, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = ((await locator.textContent({ timeout: timeoutMs }).catch(() => '')) ?? '').trim();
    if (pattern.test(text)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(text).toMatch(pattern);
}

// A journey through every page on a busy machine: minutes, not the default minute.
jest.setTimeout(240_000);
