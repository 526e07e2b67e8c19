// The console's static files, served by the service itself (no CDN: the console works on a closed network too).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Router from '@koa/router';

const require = createRequire(import.meta.url);

const FILES: Record<string, { type: string; path: string }> = {
  'htmx.min.js': { type: 'application/javascript', path: require.resolve('htmx.org/dist/htmx.min.js') },
  'console.css': { type: 'text/css', path: fileURLToPath(new URL('./views/console.css', import.meta.url)) },
  'console.js': { type: 'application/javascript', path: fileURLToPath(new URL('./views/console.js', import.meta.url)) },
};

export function assetRoutes(router: Router): void {
  const loaded = Object.fromEntries(Object.entries(FILES).map(([name, f]) => [name, readFileSync(f.path)]));
  router.get('/assets/:name', (ctx) => {
    const name = ctx.params.name ?? '';
    const file = FILES[name];
    if (!file) return;
    ctx.type = file.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = loaded[name];
  });
}
