// A minimal static file server on 127.0.0.1 for wasm pages (file:// cannot fetch wasm).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.bin': 'application/octet-stream',
  '.texel': 'application/octet-stream',
};

// Serves files below each root (the first root holding a path wins). Resolves with
// { server, url } once listening; port 0 picks a free port. isolated: the headers that
// make a page cross-origin isolated (COOP same-origin, COEP require-corp), which shared
// memory and so texel's threaded wasm core need; every resource must then be same-origin
// (or send CORP/CORS headers).
export function serve(roots, { port = 0, host = '127.0.0.1', isolated = true } = {}) {
  const bases = roots.map((r) => resolve(r));
  const server = createServer(async (request, response) => {
    try {
      let path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
      if (path.endsWith('/')) path += 'index.html';
      const relative = normalize(path).replace(/^([/\\])+/, '');
      if (relative.startsWith('..')) throw Object.assign(new Error('outside root'), { code: 'ENOENT' });
      for (const base of bases) {
        const file = join(base, relative);
        try {
          if (!(await stat(file)).isFile()) continue;
        } catch {
          continue;
        }
        const body = await readFile(file);
        response.writeHead(200, {
          'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
          'Cache-Control': 'no-cache',
          ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
        });
        response.end(body);
        return;
      }
      if (request.url === '/favicon.ico') {
        response.writeHead(204);  // browsers ask for it; a 404 would be logged as an error
        response.end();
        return;
      }
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
    } catch (error) {
      response.writeHead(500, { 'Content-Type': 'text/plain' });
      response.end(String(error));
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolvePromise({ server, url: `http://${host}:${address.port}/` });
    });
  });
}
