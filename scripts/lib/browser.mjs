// Headless Debian Chromium with WebGL2 on SwiftShader (a CPU-emulated GPU), driven by
// playwright-core. The flags keep Chromium off the network this machine does not have.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.TEXEL_CHROMIUM || '/usr/bin/chromium';

export async function launchBrowser({ extraArgs = [] } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'texel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--enable-unsafe-swiftshader', '--use-angle=swiftshader', ...extraArgs,
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
