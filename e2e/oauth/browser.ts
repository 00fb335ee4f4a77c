/** A scripted browser: follows redirects by hand and keeps cookies, as a user agent between an app and a provider would. */
export async function browse(
  startUrl: string,
  headers: Record<string, string> = {},
  everyHop: Record<string, string> = {},
): Promise<{ url: string; status: number; body: string; hops: string[] }> {
  const jar = new Map<string, string>();
  const hops: string[] = [];
  let url = startUrl;
  for (let i = 0; i < 20; i++) {
    hops.push(url);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: { ...everyHop, ...(i === 0 ? headers : {}), ...(cookie ? { cookie } : {}) } });
    for (const set of res.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url).toString();
      continue;
    }
    return { url, status: res.status, body: await res.text(), hops };
  }
  throw new Error(`too many redirects from ${startUrl}`);
}
