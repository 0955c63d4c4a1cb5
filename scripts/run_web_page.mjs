// Runs an Emscripten program's page in headless Chromium and relays its output.
//   node scripts/run_web_page.mjs <dir-to-serve> <page.html> [--timeout SECONDS] [-- program args]
// The page sets window.texelExitCode when the program exits (see platform/web/program.html.in);
// this script exits with that code. Output is printed as it arrives, so the program's
// last line (doctest's summary, a table's summary) is also this script's last line.
import { basename } from 'node:path';
import { serve } from './lib/static_server.mjs';
import { launchBrowser } from './lib/browser.mjs';

const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const programArgs = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
const own = dashdash >= 0 ? argv.slice(0, dashdash) : argv;
const [dir, page] = own;
const timeoutIndex = own.indexOf('--timeout');
const timeoutSeconds = timeoutIndex >= 0 ? Number(own[timeoutIndex + 1]) : 900;
if (!dir || !page) {
  console.error('usage: node scripts/run_web_page.mjs <dir> <page.html> [--timeout s] [-- args]');
  process.exit(2);
}

const { server, url } = await serve([dir]);
const browser = await launchBrowser();
let exitCode = 1;
try {
  const tab = await browser.context.newPage();
  tab.on('console', (message) => {
    const text = message.text();
    // Chromium's own WebGL performance notes ("GPU stall due to ReadPixels") are not the
    // program's output; they would land after its summary line.
    if (text.startsWith('[.WebGL-')) return;
    if (message.type() === 'error') process.stderr.write(text + '\n');
    else process.stdout.write(text + '\n');
  });
  tab.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
  const query = programArgs.length ? `?args=${encodeURIComponent(programArgs.join(' '))}` : '';
  // Programs run main() while the page loads: do not wait for 'load' (navigation times out
  // after 30 s); the exit code is awaited below with the program's own timeout.
  await tab.goto(url + basename(page) + query, { waitUntil: 'commit' });
  // Exit code 0 is falsy: wrap it so that waitForFunction sees a truthy value.
  const handle = await tab.waitForFunction(
    () => (window.texelExitCode === undefined ? null : { code: window.texelExitCode }), null, {
    timeout: timeoutSeconds * 1000,
    polling: 250,
  });
  exitCode = (await handle.jsonValue()).code;
} catch (error) {
  process.stderr.write(`run_web_page: ${error.message}\n`);
  exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
process.exit(exitCode);
