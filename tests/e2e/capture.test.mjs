// The whole end-user loop in real headless Chromium against the real session server:
// a fake camera plays a synthetic passport (a frame of tests/data/frames turned into a
// .y4m), the widget reads it on the device, captures, uploads, and fires `finish`; the
// host backend's result is then fetched over REST as an integrator would.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { events, launch, launchWithCamera, recordEvents, repoRoot, serveRepo } from './support/browser.mjs';
import { startFlowServer } from './support/server.mjs';
import { videoOf } from './support/y4m.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** A TD3 passport that the vision core reads (regression set, tests/data/frames). */
const PASSPORT = join(repoRoot, 'tests/data/frames/mixed-16-0006.jpg');
const PASSPORT_NUMBER = 'LVZEUMM4D';

let dir;
let flow;
let strict;
let plain;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-capture-'));
  const video = videoOf(PASSPORT, dir);
  flow = await startFlowServer();
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${flow.url} 'wasm-unsafe-eval'`,
    `style-src 'self' ${flow.url}`,
    `connect-src 'self' ${flow.url}`,
    `img-src 'self' ${flow.url} blob: data:`,
    'media-src blob: mediastream:',
    `worker-src 'self' ${flow.url} blob:`,
  ].join('; ');
  strict = await serveRepo({ serverUrl: flow.url, headers: () => ({ 'content-security-policy': csp }) });
  plain = await serveRepo({ serverUrl: flow.url });
  browser = await launchWithCamera(video);
});

after(async () => {
  await browser?.close();
  await strict?.close();
  await plain?.close();
  await flow?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page that records the widget's events, every request, CSP violations and errors. */
async function open(host, query, context = browser) {
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  const answers = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('request', (req) => requests.push(req.url()));
  page.on('response', (res) => answers.push([res.request().method(), new URL(res.url()).pathname, res.status()]));
  await recordEvents(page);
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${host.url}/tests/e2e/pages/capture.html?${new URLSearchParams(query)}`);
  return { page, problems, requests, answers, w: page.locator('#flow-widget') };
}

async function result(id) {
  const res = await fetch(`${flow.url}/api/v1/flows/session/result/light/?session_id=${id}`, {
    headers: { 'X-Flow-Api-Key': flow.flow.api_key },
  });
  assert.equal(res.status, 200);
  return res.json();
}

async function axe(page) {
  await page.evaluate(await import('node:fs').then((fs) => fs.readFileSync(AXE, 'utf8')));
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(found, []);
}

const finished = (page) => page.waitForFunction(() => window.__events.some((e) => e.name === 'finish'), null, { timeout: 30_000 });

describe('capture with the camera', () => {
  test('strict CSP page: start → auto-capture → review → upload → finish, only two origins', async () => {
    const id = await flow.createSession();
    const { page, problems, requests, answers, w } = await open(strict, { id });
    await w.getByTestId('start').click();
    await w.getByTestId('live').waitFor();
    // Guidance is announced politely from a live region.
    assert.equal(await w.getByTestId('guidance').getAttribute('role'), 'status');
    await w.getByTestId('review').waitFor({ timeout: 20_000 });
    // Focus moved to the review screen's heading.
    assert.equal(await page.evaluate(() => document.querySelector('#flow-widget').shadowRoot.activeElement?.tagName), 'H2');
    await w.getByTestId('review-use').click();
    await finished(page);
    await w.getByTestId('done').waitFor();
    assert.deepEqual(await events(page, 'finish'), [{ session_id: id }]);
    assert.deepEqual(await events(page, 'flow:error'), []);
    assert.deepEqual(await events(page, 'flow:step'), [{ session_id: id, step: 'mrz_side', index: 0, count: 1 }]);
    const doc = await result(id);
    assert.equal(doc.status, 'FINISHED');
    assert.equal(doc.mrz_result.document.document_number, PASSPORT_NUMBER);
    assert.equal(doc.mrz_result.checks.mrz_check_digits, 'passed');
    // Every request went to the host page's origin or the session server: nothing else.
    const origins = new Set(requests.filter((u) => !u.startsWith('blob:')).map((u) => new URL(u).origin));
    assert.deepEqual([...origins].sort(), [strict.url, flow.url].sort());
    assert.deepEqual(await page.evaluate(() => window.__csp), []);
    // The back office hears that the step started (telemetry, no personal data).
    assert.ok(answers.some(([m, path, status]) => m === 'POST' && path === `/api/v1/widget/sessions/${id}/events` && status === 204));
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('accessibility: no axe-core violations on the intro, live and review screens', async () => {
    const id = await flow.createSession();
    const { page, w } = await open(plain, { id });
    await w.getByTestId('start').waitFor();
    await axe(page);
    await w.getByTestId('start').click();
    await w.getByTestId('live').waitFor();
    await axe(page);
    await w.getByTestId('review').waitFor({ timeout: 20_000 });
    await axe(page);
    await page.close();
  });

  test('the network cut during the upload: nothing is lost once it returns', async () => {
    const id = await flow.createSession();
    const context = await browser.newContext();
    const { page, w } = await open(plain, { id }, context);
    await w.getByTestId('start').click();
    await w.getByTestId('review').waitFor({ timeout: 20_000 });
    await context.setOffline(true);
    await w.getByTestId('review-use').click();
    await w.getByTestId('offline').waitFor();
    assert.deepEqual(await events(page, 'finish'), []);
    await context.setOffline(false);
    await finished(page);
    assert.deepEqual(await events(page, 'flow:error'), []);
    const doc = await result(id);
    assert.equal(doc.status, 'FINISHED');
    assert.equal(doc.mrz_result.document.document_number, PASSPORT_NUMBER);
    await context.close();
  });

  test('in Persian: right-to-left layout, Persian digits, camera view not mirrored', async () => {
    const id = await flow.createSession();
    const { page, w } = await open(plain, { id, locale: 'fa' });
    await w.getByTestId('start').click();
    await w.getByTestId('live').waitFor();
    const root = w.locator('.fw-root');
    assert.equal(await root.getAttribute('dir'), 'rtl');
    assert.equal(await root.getAttribute('lang'), 'fa');
    assert.equal(await w.locator('.fw-viewfinder').getAttribute('dir'), 'ltr');
    assert.match(await w.getByTestId('step-progress').textContent(), /۱/);
    // The host page's own language and direction are untouched.
    assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['en', '']);
    await w.getByTestId('review').waitFor({ timeout: 20_000 });
    await page.close();
  });

  test('switching the language mid-capture keeps the camera and the progress', async () => {
    const id = await flow.createSession();
    const { page, w } = await open(plain, { id });
    await w.getByTestId('start').click();
    await w.getByTestId('live').waitFor();
    await page.evaluate(() => {
      window.__video = document.querySelector('#flow-widget').shadowRoot.querySelector('video');
    });
    await w.getByTestId('locale-select').selectOption('ru');
    await w.getByText('Шаг 1 из 1').waitFor();
    const same = await page.evaluate(() => document.querySelector('#flow-widget').shadowRoot.querySelector('video') === window.__video);
    // The capture may already be done: then the review screen is up, in Russian.
    if (!(await w.getByTestId('review').count())) assert.equal(same, true);
    assert.deepEqual(await events(page, 'flow:localechange'), [{ session_id: id, locale: 'ru' }]);
    await w.getByTestId('review').waitFor({ timeout: 20_000 });
    assert.equal(await w.getByTestId('review-use').textContent(), 'Использовать это фото');
    await w.getByTestId('review-use').click();
    await finished(page);
    await page.close();
  });

  test('without WebCodecs the frames are read from a canvas, and still captured', async () => {
    const id = await flow.createSession();
    const context = await browser.newContext();
    await context.addInitScript(() => {
      delete window.VideoFrame;
    });
    const { page, problems, w } = await open(plain, { id }, context);
    await w.getByTestId('start').click();
    await w.getByTestId('review').waitFor({ timeout: 20_000 });
    await w.getByTestId('review-use').click();
    await finished(page);
    assert.equal((await result(id)).mrz_result.document.document_number, PASSPORT_NUMBER);
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('destroy() stops the camera and the widget goes quiet', async () => {
    const id = await flow.createSession();
    const { page, w } = await open(plain, { id });
    await page.evaluate(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      window.__streams = [];
      navigator.mediaDevices.getUserMedia = async (c) => {
        const s = await original(c);
        window.__streams.push(s);
        return s;
      };
    });
    await w.getByTestId('start').click();
    await w.getByTestId('live').waitFor();
    await page.evaluate(() => window.handle.destroy());
    const states = await page.evaluate(() => window.__streams.flatMap((s) => s.getTracks().map((t) => t.readyState)));
    assert.deepEqual(states, ['ended']);
    assert.equal(await page.evaluate(() => document.querySelector('#flow-widget').shadowRoot.childNodes.length), 0);
    await page.waitForTimeout(1500);
    assert.deepEqual(await events(page, 'finish'), []);
    await page.close();
  });
});

describe('without a camera', () => {
  let denied;

  before(async () => {
    // No fake-UI flag: the permission prompt is refused, as when a user says no.
    denied = await launch(['--use-fake-device-for-media-stream']);
  });

  after(async () => {
    await denied?.close();
  });

  test('camera denied: recovery screen, flow:error, then a photo upload goes through', async () => {
    const id = await flow.createSession();
    const context = await denied.newContext();
    const { page, problems, w } = await open(plain, { id }, context);
    await w.getByTestId('start').click();
    await w.getByTestId('no-camera').waitFor();
    assert.equal(await w.getByTestId('no-camera').getAttribute('data-denied'), 'true');
    assert.deepEqual((await events(page, 'flow:error')).map((e) => e.type), ['camera_denied']);
    await axe(page);
    // A file that is not an image is refused in the widget, and nothing is uploaded.
    await w.getByTestId('photo-input').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not an image') });
    await w.getByTestId('notice').waitFor();
    assert.equal(await w.getByTestId('notice').getAttribute('data-notice'), 'photo-unreadable');
    await w.getByTestId('photo-input').setInputFiles(PASSPORT);
    await w.getByTestId('review').waitFor();
    await w.getByTestId('review-use').click();
    await finished(page);
    const doc = await result(id);
    assert.equal(doc.status, 'FINISHED');
    assert.equal(doc.mrz_result.document.document_number, PASSPORT_NUMBER);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('an ID card in a document-recognition flow', () => {
  let cardFlow;
  let host;
  let cardBrowser;

  before(async () => {
    cardFlow = await startFlowServer({ technologies: 'MRZ,DOCUMENT_RECOGNITION' });
    host = await serveRepo({ serverUrl: cardFlow.url });
    const card = videoOf(join(repoRoot, 'tests/data/frames/mixed-16-0011.jpg'), dir);
    cardBrowser = await launchWithCamera(card);
  });

  after(async () => {
    await cardBrowser?.close();
    await host?.close();
    await cardFlow?.close();
  });

  test('the MRZ side reads as a card, so its other side is asked for next', async () => {
    const id = await cardFlow.createSession();
    const { page, problems, w } = await open(host, { id }, cardBrowser);
    await w.getByTestId('start').click();
    await w.getByTestId('review').waitFor({ timeout: 20_000 });
    await w.getByTestId('review-use').click();
    // The other side has no MRZ to wait for: the shutter is there at once.
    await w.getByTestId('shutter').click();
    await w.getByTestId('review').waitFor();
    await w.getByTestId('review-use').click();
    await page.waitForFunction(() => window.__events.some((e) => e.name === 'finish'), null, { timeout: 30_000 });
    assert.deepEqual((await events(page, 'flow:step')).map((e) => [e.step, e.index, e.count]), [
      ['mrz_side', 0, 2],
      ['other_side', 1, 2],
    ]);
    const res = await fetch(`${cardFlow.url}/api/v1/flows/session/result/light/?session_id=${id}`, {
      headers: { 'X-Flow-Api-Key': cardFlow.flow.api_key },
    });
    const doc = await res.json();
    assert.equal(doc.status, 'FINISHED');
    assert.equal(doc.doc_recognition_result.document.format, 'TD1');
    assert.ok(doc.doc_recognition_result.images.other_side, 'the other side was stored');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
