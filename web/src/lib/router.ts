// Hash routing (#/applications, #/applications/5, #/keys, #/audit): every page is index.html, so
// the server needs no fallback route and never answers an unknown path with the page.
import { useEffect, useState } from 'preact/hooks';

export type RouteMatch =
  | { page: 'applications' }
  | { page: 'secrets'; applicationId: number }
  | { page: 'keys' }
  | { page: 'audit' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): RouteMatch {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/applications') return { page: 'applications' };
  const app = /^\/applications\/(\d{1,15})$/.exec(path);
  if (app) return { page: 'secrets', applicationId: Number(app[1]) };
  if (path === '/keys') return { page: 'keys' };
  if (path === '/audit') return { page: 'audit' };
  return { page: 'not-found', path };
}

export const hrefFor = {
  applications: '#/applications',
  secrets: (id: number) => `#/applications/${id}`,
  keys: '#/keys',
  audit: '#/audit',
};

export function useHashRoute(): RouteMatch {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}

// The tab's title for a page: "<title> · voxsecrets".
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · voxsecrets` : 'voxsecrets';
  }, [title]);
}
