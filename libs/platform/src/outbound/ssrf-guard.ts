import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { CommonCodes, CommonException } from '../errors/domain.exception';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The IPv4 addresses an IPv6 address carries and would reach: IPv4-mapped
 * (::ffff:a.b.c.d), NAT64 (64:ff9b::/96, RFC 6052/6145), 6to4 (2002::/16)
 * and Teredo (2001::/32: its server and its obfuscated client). Each is
 * judged as the IPv4 address it is, so no form slips a private address past.
 */
function embeddedV4(addr: ipaddr.IPv6): ipaddr.IPv4[] {
  const bytes = addr.toByteArray();
  const v4 = (b: number[]) => new ipaddr.IPv4(b);
  if (addr.isIPv4MappedAddress()) return [addr.toIPv4Address()];
  const range = addr.range();
  // Only the well-known 64:ff9b::/96 carries the address in its last 32 bits; the local-use /48 is refused.
  if (range === 'rfc6052') return bytes.slice(4, 12).every((b) => b === 0) ? [v4(bytes.slice(12, 16))] : [];
  if (range === 'rfc6145') return [v4(bytes.slice(12, 16))];
  if (range === '6to4') return [v4(bytes.slice(2, 6))];
  if (range === 'teredo') return [v4(bytes.slice(4, 8)), v4(bytes.slice(12, 16).map((b) => b ^ 0xff))];
  return [];
}

/** Ranges that carry an IPv4 address: judged by what they carry, not refused for their own range. */
const CARRIERS = new Set(['ipv4Mapped', 'rfc6052', 'rfc6145', '6to4', 'teredo']);

export class OutboundAddressRefused extends Error {
  constructor(readonly address: string) {
    super(`address ${address} is private, loopback or link-local and not allow-listed`);
    this.name = 'OutboundAddressRefused';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Refuses private and internal addresses at connect time (the resolved
 * address is checked, so DNS rebinding after a check does not help) and for
 * IP-literal URLs, which Node connects to without a lookup.
 */
export class SsrfGuard {
  private readonly allowed: [Address, number][];

  constructor(allowedCidrs: readonly string[]) {
    this.allowed = allowedCidrs.map((cidr) => ipaddr.parseCIDR(cidr.includes('/') ? cidr : `${cidr}/${isIP(cidr) === 6 ? 128 : 32}`));
  }

  /**
   * Public unicast addresses only (ipaddr.js's range table: no private,
   * loopback, link-local, CGNAT, multicast, reserved, benchmarking,
   * documentation… ranges), unless an operator allow-listed the range.
   */
  isAllowed(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const addr = ipaddr.process(address); // IPv4-mapped IPv6 becomes the IPv4 it is
    if (this.isListed(addr)) return true;
    if (addr.kind() === 'ipv4') return addr.range() === 'unicast';
    const v6 = addr as ipaddr.IPv6;
    const carried = embeddedV4(v6);
    if (carried.length || CARRIERS.has(v6.range())) return carried.length > 0 && carried.every((a) => this.isListed(a) || a.range() === 'unicast');
    return v6.range() === 'unicast';
  }

  private isListed(addr: Address): boolean {
    return this.allowed.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
  }

  /** Throws if the URL names an IP literal that is not allowed; hostnames are checked when they resolve. */
  checkLiteral(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !this.isAllowed(host)) throw new OutboundAddressRefused(host);
  }

  /** Resolves now and checks every address: for refusing a bad URL when it is registered, with a clear error. */
  async check(url: URL): Promise<void> {
    this.checkLiteral(url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return;
    const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
      dnsLookup(host, { all: true }, (err, list) => (err ? reject(err) : resolve(list))),
    );
    for (const { address } of addresses) if (!this.isAllowed(address)) throw new OutboundAddressRefused(address);
  }

  /**
   * For a URL a client registers (a connector's endpoints, a handler URL):
   * 400 `outbound_url_refused` naming the field when it is not http(s), or
   * names or resolves to an address the guard refuses. A name that does not
   * resolve from here is let through: every connection is checked again when
   * it is made, and a provider's public name must not fail on a host without DNS.
   */
  async refuseUnsafe(url: string, field: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CommonException(CommonCodes.OutboundUrlRefused, `${field} is not a URL.`, [{ path: field, message: 'not a URL' }]);
    }
    try {
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('only http and https URLs can be called');
      await this.check(parsed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).syscall === 'getaddrinfo') return;
      const why = (err as Error).message;
      throw new CommonException(CommonCodes.OutboundUrlRefused, `${field} cannot be used: ${why}.`, [{ path: field, message: why }]);
    }
  }

  /** A `lookup` for http.request that fails the connection when a resolved address is not allowed. */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, '');
      const refused = list.find((a) => !this.isAllowed(a.address));
      if (refused) return callback(new OutboundAddressRefused(refused.address) as NodeJS.ErrnoException, '');
      if (options.all) return callback(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
}
