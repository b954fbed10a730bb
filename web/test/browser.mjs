// Starts Debian's chromium through playwright-core (never a downloaded
// browser) with the flags a headless, offline test machine needs.
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

export const chromiumPath = process.env.UNIONSTATE_CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'unionstate-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-dev-shm-usage'],
  });
}

// Records console errors, page errors and every request that leaves the
// page (anything but file:, data:, blob: and about:).
export function watch(page, allowedOrigin) {
  const seen = { errors: [], requests: [] };
  page.on('console', m => { if (m.type() === 'error') seen.errors.push(m.text()); });
  page.on('pageerror', e => seen.errors.push(String(e)));
  page.on('request', r => {
    const url = r.url();
    if (/^(file|data|blob|about):/.test(url)) return;
    if (allowedOrigin && url.startsWith(allowedOrigin)) return;
    seen.requests.push(url);
  });
  return seen;
}
