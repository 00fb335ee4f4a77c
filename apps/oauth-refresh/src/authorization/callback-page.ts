const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A browser (it asks for text/html first or only) gets a page; API clients keep the JSON. */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html >= 0 && (json < 0 || html < json);
}

/**
 * What the end user sees after consenting at the provider: that it worked (and they can close
 * the window), or what went wrong in words. Plain, self-contained HTML: no script, no asset.
 */
export function callbackPage(outcome: { ok: true; connector: string; user: string } | { ok: false; message: string }): string {
  const title = outcome.ok ? 'Connected' : 'Not connected';
  const body = outcome.ok
    ? `<p><strong>${escape(outcome.connector)}</strong> is now connected for <strong>${escape(outcome.user)}</strong>.</p><p>You can close this window.</p>`
    : `<p>${escape(outcome.message)}</p><p>Ask for a new authorize link and try again.</p>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Zapgate</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937}h1{color:${outcome.ok ? '#15803d' : '#b91c1c'}}</style></head>
<body><h1>${title}</h1>${body}</body>
</html>
`;
}
