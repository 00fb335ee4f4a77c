import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';

/** Addresses an outbound request may not reach unless an operator allows them: RFC 1918, loopback, link-local, CGNAT, multicast… */
const BLOCKED_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const BLOCKED_V6 = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const;

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
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();

  constructor(allowedCidrs: readonly string[]) {
    for (const [net, prefix] of BLOCKED_V4) this.blocked.addSubnet(net, prefix, 'ipv4');
    for (const [net, prefix] of BLOCKED_V6) this.blocked.addSubnet(net, prefix, 'ipv6');
    for (const cidr of allowedCidrs) {
      const [net, prefix] = cidr.split('/');
      const family = isIP(net) === 6 ? 'ipv6' : 'ipv4';
      this.allowed.addSubnet(net, Number(prefix), family);
    }
  }

  isAllowed(address: string): boolean {
    // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const ip = mapped ?? address;
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (this.allowed.check(ip, family)) return true;
    return !this.blocked.check(ip, family);
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
