// Serves the browser apps (build-web/apps/site: an index, mnist/ and sentiment/) on
// http://127.0.0.1:PORT (default 8080) until interrupted.
//   node scripts/serve_app.mjs [dir] [--port N]
import { serve } from './lib/static_server.mjs';

const argv = process.argv.slice(2);
const portIndex = argv.indexOf('--port');
const port = portIndex >= 0 ? Number(argv[portIndex + 1]) : 8080;
const dir = argv.find((a, i) => !a.startsWith('--') && argv[i - 1] !== '--port') ||
    'build-web/apps/site';
const { url } = await serve([dir], { port });
console.log(`texel apps: ${url}  (digit recognizer: ${url}mnist/, sentiment: ${url}sentiment/; Ctrl-C stops the server)`);
