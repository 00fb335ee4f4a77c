import { useEffect, useState } from 'react';

/** `#/events?status=failed` → { page: 'events', params }; hash routes work under any base path. */
export function useHashRoute(): { page: string; params: URLSearchParams } {
  const read = () => {
    const [path, query] = window.location.hash.replace(/^#\/?/, '').split('?');
    return { page: path || '', params: new URLSearchParams(query ?? '') };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function go(page: string, params: Record<string, string> = {}): void {
  const query = new URLSearchParams(params).toString();
  window.location.hash = `#/${page}${query ? `?${query}` : ''}`;
}
