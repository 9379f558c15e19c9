// Shared set-up for the end-to-end tests: Debian's Chromium driven by playwright-core
// (never a downloaded browser), and the static server for the pages and dist/.

import { chromium } from 'playwright-core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStaticServer } from '../../../scripts/static-server.mjs';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [...BASE_ARGS, ...extraArgs],
  });
}

/** Chromium whose camera plays `video` (a .y4m), permission granted as a user would. */
export function launchWithCamera(video) {
  return launch([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ]);
}

/** The repository over HTTP; `{{SERVER}}` in HTML pages becomes `serverUrl`. */
export function serveRepo({ headers, serverUrl } = {}) {
  const transform = (path, body) =>
    serverUrl && path.endsWith('.html') ? Buffer.from(body.toString('utf8').replaceAll('{{SERVER}}', serverUrl)) : body;
  return startStaticServer({ root: repoRoot, headers, transform });
}

/** Every event the widget fires, as seen by a `window` listener, in order. */
export async function recordEvents(page) {
  await page.addInitScript(() => {
    window.__events = [];
    for (const name of ['finish', 'flow:ready', 'flow:step', 'flow:localechange', 'flow:error']) {
      window.addEventListener(name, (e) => window.__events.push({ name, detail: e.detail }));
    }
  });
}

export function events(page, name) {
  return page.evaluate((n) => window.__events.filter((e) => e.name === n).map((e) => e.detail), name);
}
