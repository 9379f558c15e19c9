// The demo a newcomer opens after `npm start`: the shop's page, its backend creating
// the session, the widget with a fake camera playing a synthetic passport, and the
// backend's decision shown once the widget says `finish`.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchWithCamera, repoRoot } from './support/browser.mjs';
import { startFlowServer } from './support/server.mjs';
import { videoOf } from './support/y4m.mjs';

let dir;
let demo;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-demo-'));
  const video = videoOf(join(repoRoot, 'tests/data/frames/mixed-16-0006.jpg'), dir);
  demo = await startFlowServer({ demo: true });
  browser = await launchWithCamera(video);
});

after(async () => {
  await browser?.close();
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the demo: shop → session → widget → capture → finish → the backend decides', async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(`${demo.url}/`);
  await page.locator('#start').click();
  const w = page.locator('#flow-widget');
  await w.getByTestId('start').click();
  await w.getByTestId('review').waitFor({ timeout: 20_000 });
  await w.getByTestId('review-use').click();
  await page.locator('#decision').filter({ hasText: 'Decision' }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#decision').textContent(), /status FINISHED/);
  assert.deepEqual(problems, []);
  await page.close();
});
