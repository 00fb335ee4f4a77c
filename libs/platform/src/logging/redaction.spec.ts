import { LogCapture } from '@zapgate/testing';
import { createRootLogger } from './logger.factory';
import { redactUrl } from './redaction';

describe('redaction', () => {
  it('masks credentials in Cliq-shaped query strings', () => {
    expect(redactUrl('/api/v2/applications/1/incoming?appkey=sbx-1&zapikey=zapk_abc&x=1')).toBe(
      '/api/v2/applications/1/incoming?appkey=[redacted]&zapikey=[redacted]&x=1',
    );
    expect(redactUrl('/crm/apiauthtoken.do?EMAIL_ID=a@b.c&PASSWORD=hunter2')).toBe('/crm/apiauthtoken.do?EMAIL_ID=a@b.c&PASSWORD=[redacted]');
  });

  it('censors secret fields and auth headers in every log line', async () => {
    const capture = new LogCapture();
    const logger = createRootLogger({ service: 'test', level: 'info', destination: capture });
    logger.info({ req: { headers: { authorization: 'Bearer zapk_secret1' } } }, 'a');
    logger.info({ token: 'zapk_secret2', nested: { password: 'secret3', secret: 'secret4' } }, 'b');
    logger.flush();
    await new Promise((r) => setImmediate(r));
    expect(capture.lines).toHaveLength(2);
    expect(capture.text()).not.toMatch(/secret[1-4]/);
    expect(capture.entries()[1]).toMatchObject({ token: '[redacted]', nested: { password: '[redacted]' } });
  });
});
