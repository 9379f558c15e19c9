// Proves the fake-camera path the capture tests build on: Chromium started with a
// generated .y4m as its camera delivers that picture through getUserMedia.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchWithCamera, serveRepo } from './support/browser.mjs';
import { writeY4m } from './support/y4m.mjs';

const W = 320;
const H = 240;
const QUADRANTS = [
  [[220, 40, 40], [40, 200, 60]],
  [[40, 60, 220], [230, 230, 230]],
];
const colourAt = (x, y) => QUADRANTS[y < H / 2 ? 0 : 1][x < W / 2 ? 0 : 1];

let dir;
let server;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-camera-'));
  const video = join(dir, 'quadrants.y4m');
  writeY4m(video, { width: W, height: H, frames: 2, colourAt });
  server = await serveRepo();
  browser = await launchWithCamera(video);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a frame drawn from getUserMedia matches the fake camera file', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/tests/e2e/pages/camera.html`);
  const sampled = await page.evaluate(async ([w, h]) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: w, height: h } });
    const video = document.getElementById('video');
    video.srcObject = stream;
    await video.play();
    await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
    const canvas = document.getElementById('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0);
    const at = (x, y) => Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
    const size = [video.videoWidth, video.videoHeight];
    stream.getTracks().forEach((t) => t.stop());
    return {
      size,
      pixels: [
        [at(w / 4, h / 4), at((3 * w) / 4, h / 4)],
        [at(w / 4, (3 * h) / 4), at((3 * w) / 4, (3 * h) / 4)],
      ],
    };
  }, [W, H]);
  assert.deepEqual(sampled.size, [W, H]);
  for (let row = 0; row < 2; row++) {
    for (let col = 0; col < 2; col++) {
      const got = sampled.pixels[row][col];
      const want = QUADRANTS[row][col];
      const worst = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
      assert.ok(worst <= 24, `quadrant ${row},${col}: got ${got}, want ${want}`);
    }
  }
  await page.close();
});
