// Writes Y4M videos for Chromium's fake camera (--use-file-for-fake-video-capture):
// header, then per frame `FRAME\n` + Y plane + quarter-size U and V planes (4:2:0).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { repoRoot } from './browser.mjs';

/** BT.601 limited-range Y'CbCr of an sRGB colour, as Chromium reads Y4M. */
export function yuv([r, g, b]) {
  const [R, G, B] = [r / 255, g / 255, b / 255];
  return [
    Math.round(16 + 65.481 * R + 128.553 * G + 24.966 * B),
    Math.round(128 - 37.797 * R - 74.203 * G + 112 * B),
    Math.round(128 + 112 * R - 93.786 * G - 18.214 * B),
  ];
}

/** `frames` frames of `width`×`height`, each pixel coloured by `colourAt(x, y)` (RGB). */
export function writeY4m(path, { width, height, frames = 1, colourAt }) {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
  const ySize = width * height;
  const cSize = (width / 2) * (height / 2);
  const frame = Buffer.alloc(6 + ySize + 2 * cSize);
  frame.write('FRAME\n');
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      frame[6 + y * width + x] = yuv(colourAt(x, y))[0];
    }
  }
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) {
      const [, u, v] = yuv(colourAt(2 * x, 2 * y));
      frame[6 + ySize + y * (width / 2) + x] = u;
      frame[6 + ySize + cSize + y * (width / 2) + x] = v;
    }
  }
  writeFileSync(path, Buffer.concat([header, ...Array(frames).fill(frame)]));
}

/** A two-frame video of `image` (e.g. a regression frame) in `dir`, by make_y4m.py. */
export function videoOf(image, dir) {
  const out = join(dir, basename(image).replace(/\.[a-z]+$/, '.y4m'));
  execFileSync('python3', [join(repoRoot, 'tests/vision/make_y4m.py'), image, out, '--repeat', '2']);
  return out;
}
