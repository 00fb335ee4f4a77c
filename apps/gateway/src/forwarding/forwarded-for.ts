import ipaddr from 'ipaddr.js';

/**
 * The X-Forwarded-For a service receives: the client chain as a trusted proxy in front
 * reported it, plus the peer; or, from anyone else, the peer alone. A client cannot choose
 * the address the services' per-IP limits and audit log see.
 */
export function forwardedFor(peer: string | undefined, incoming: string | string[] | undefined, trusted: readonly string[]): string | undefined {
  if (!peer) return undefined;
  const chain = Array.isArray(incoming) ? incoming.join(', ') : incoming;
  return chain && isTrusted(peer, trusted) ? `${chain}, ${peer}` : peer;
}

export function isTrusted(address: string, cidrs: readonly string[]): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return cidrs.some((cidr) => {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    return range.kind() === ip.kind() && ip.match([range, bits]);
  });
}
