import { SsrfGuard } from './ssrf-guard';

/** Every check here is on literals and local resolution: no test sends traffic anywhere. */
describe('SsrfGuard: every address form', () => {
  const guard = new SsrfGuard([]);
  const refused = (ip: string) => expect([ip, guard.isAllowed(ip)]).toEqual([ip, false]);
  const allowed = (ip: string) => expect([ip, guard.isAllowed(ip)]).toEqual([ip, true]);

  it('refuses internal IPv4 ranges', () => {
    for (const ip of [
      '0.0.0.0',
      '10.0.0.1',
      '100.64.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.0.8',
      '192.168.1.1',
      '198.18.0.1',
      '224.0.0.1',
      '240.0.0.1',
      '255.255.255.255',
    ]) {
      refused(ip);
    }
  });

  it('refuses internal IPv6 ranges', () => {
    for (const ip of ['::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fec0::1', 'ff02::1', '100::1', '2001:db8::1']) refused(ip);
  });

  it('judges IPv6 forms that carry an IPv4 address by the address they carry', () => {
    // IPv4-mapped, in both notations
    refused('::ffff:127.0.0.1');
    refused('::ffff:7f00:1');
    refused('::ffff:a9fe:a9fe');
    // NAT64 well-known prefix (RFC 6052)
    refused('64:ff9b::a9fe:a9fe'); // 169.254.169.254
    refused('64:ff9b::10.0.0.1');
    refused('64:ff9b:1::a00:1'); // the local-use NAT64 prefix
    // 6to4 (2002::/16): the IPv4 address is in bits 16-48
    refused('2002:a9fe:a9fe::1');
    refused('2002:7f00:1::1');
    // Teredo (2001::/32): server in bits 32-64, client obfuscated in the last 32 bits
    refused('2001:0:a00:1::1'); // server 10.0.0.1
    refused('2001:0:5db8:d822::80ff:fffe'); // client 127.0.0.1 (0x7f000001 ^ 0xffffffff)
    // the same forms carrying public addresses reach the internet, like the address itself
    allowed('64:ff9b::808:808');
    allowed('2002:808:808::1');
    allowed('::ffff:8.8.8.8');
  });

  it('lets public unicast through, and an operator allow-list open a range', () => {
    for (const ip of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) allowed(ip);
    const local = new SsrfGuard(['127.0.0.0/8', '10.1.0.0/16', 'fd00::/8']);
    expect(local.isAllowed('127.0.0.1')).toBe(true);
    expect(local.isAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(local.isAllowed('10.1.2.3')).toBe(true);
    expect(local.isAllowed('10.2.0.1')).toBe(false);
    expect(local.isAllowed('fd00::5')).toBe(true);
    expect(local.isAllowed('not an address')).toBe(false);
  });

  it('refuses IP-literal URLs in every spelling before any connection', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:169.254.169.254]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://[2002:a9fe:a9fe::1]/',
      'http://2852039166/',
      'http://0xa9.0xfe.0xa9.0xfe/',
    ]) {
      await expect(guard.check(new URL(url))).rejects.toThrow(/not allow-listed/);
    }
  });
});
