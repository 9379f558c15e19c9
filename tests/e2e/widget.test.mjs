// The built package (dist/) loaded by host pages exactly as integrators load it,
// in headless Chromium.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { events, launch, recordEvents, repoRoot, serveRepo } from './support/browser.mjs';
import { startFlowServer } from './support/server.mjs';

let browser;
let server;
let flow;

before(async () => {
  flow = await startFlowServer();
  server = await serveRepo({ serverUrl: flow.url });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await flow?.close();
});

async function open(pageName, query) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  await recordEvents(page);
  const params = new URLSearchParams({ api: flow.url, ...query });
  await page.goto(`${server.url}/tests/e2e/pages/${pageName}?${params}`);
  return { page, problems };
}

const widget = (page, selector = '#flow-widget') => page.locator(selector);

describe('mounting from dist/', () => {
  test('ES module: mounts into a shadow root, announces ready once', async () => {
    const id = await flow.createSession();
    const { page, problems } = await open('esm.html', { id });
    await widget(page).getByTestId('session-id').waitFor();
    assert.equal(await widget(page).getByTestId('session-id').textContent(), id);
    assert.equal(await page.evaluate(() => !!document.querySelector('#flow-widget').shadowRoot), true);
    // The host page's light DOM is untouched.
    assert.equal(await page.evaluate(() => document.querySelector('#flow-widget').children.length), 0);
    await page.waitForFunction(() => window.__events.some((e) => e.name === 'flow:ready'));
    assert.deepEqual(await events(page, 'flow:ready'), [{ session_id: id }]);
    assert.equal(await page.evaluate(() => window.handle.sessionId), id);
    // The stylesheet is applied inside the shadow root.
    const fontSize = await widget(page).locator('h1').evaluate((h) => getComputedStyle(h).fontSize);
    assert.equal(fontSize, '20px');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('the platform snippet (UMD file loaded as a module) works unchanged', async () => {
    const id = await flow.createSession();
    const { page, problems } = await open('snippet.html', { id });
    await widget(page).getByTestId('session-id').waitFor();
    assert.equal(await widget(page).getByTestId('session-id').textContent(), id);
    const options = await widget(page).locator('option').allTextContents();
    assert.deepEqual(options, ['English', 'Русский', 'Қазақша']);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('classic script: startSession before the wasm is ready is queued', async () => {
    const id = await flow.createSession();
    const { page } = await open('classic.html', { id });
    await widget(page).getByTestId('session-id').waitFor();
    assert.equal(await widget(page).locator('.fw-root').getAttribute('lang'), 'ru');
    assert.equal(await widget(page).locator('h1').textContent(), 'Подтверждение личности');
    await page.close();
  });

  test('switching the language live: lang, dir, text and one event', async () => {
    const id = await flow.createSession();
    const { page } = await open('esm.html', { id, list: 'en,fa,kk' });
    await widget(page).getByTestId('session-id').waitFor();
    await widget(page).getByRole('combobox').selectOption('fa');
    const root = widget(page).locator('.fw-root');
    await page.waitForFunction(() =>
      document.querySelector('#flow-widget').shadowRoot.querySelector('.fw-root').dir === 'rtl');
    assert.equal(await root.getAttribute('lang'), 'fa');
    assert.equal(await widget(page).locator('h1').textContent(), 'احراز هویت');
    await page.evaluate(() => window.handle.setLocale('kz'));
    await page.waitForFunction(() =>
      document.querySelector('#flow-widget').shadowRoot.querySelector('.fw-root').lang === 'kk');
    assert.deepEqual(await events(page, 'flow:localechange'), [
      { session_id: id, locale: 'fa' },
      { session_id: id, locale: 'kk' },
    ]);
    // The host page's own <html lang dir> is never touched.
    assert.deepEqual(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ['en', '']);
    await page.close();
  });

  test('<flow-widget>: mounts from attributes, follows `locale`, removal destroys it', async () => {
    const id = await flow.createSession();
    const { page, problems } = await open('element.html', { id });
    const el = widget(page, 'flow-widget');
    await el.getByTestId('session-id').waitFor();
    assert.equal(await el.getByTestId('session-id').textContent(), id);
    assert.equal(await el.locator('.fw-root').getAttribute('lang'), 'ru');
    assert.deepEqual(await events(page, 'flow:ready'), [{ session_id: id }]);
    await page.evaluate(() => document.querySelector('flow-widget').setAttribute('locale', 'en'));
    await el.locator('.fw-root[lang="en"]').waitFor();
    assert.deepEqual(await events(page, 'flow:localechange'), [{ session_id: id, locale: 'en' }]);
    const left = await page.evaluate(() => {
      const node = document.querySelector('flow-widget');
      node.remove();
      return node.shadowRoot.childNodes.length;
    });
    assert.equal(left, 0);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('destroy empties the shadow root and is idempotent; remounting replaces', async () => {
    const { page } = await open('esm.html', { id: await flow.createSession() });
    await widget(page).getByTestId('session-id').waitFor();
    const count = () => page.evaluate(() => document.querySelector('#flow-widget').shadowRoot.childNodes.length);
    await page.evaluate(() => { window.handle.destroy(); window.handle.destroy(); });
    assert.equal(await count(), 0);
    const second = await flow.createSession();
    await page.evaluate(([id, apiBase]) => { window.handle = window.startSession({ id, selector: '#flow-widget', apiBase }); }, [second, flow.url]);
    await widget(page).getByTestId('session-id').waitFor();
    const third = await flow.createSession();
    await page.evaluate(([id, apiBase]) => { window.startSession({ id, selector: '#flow-widget', apiBase }); }, [third, flow.url]);
    await page.waitForFunction((id) =>
      document.querySelector('#flow-widget').shadowRoot.querySelector('[data-testid=session-id]')?.textContent === id, third);
    assert.equal(await widget(page).getByTestId('session-id').count(), 1);
    await page.close();
  });

  test('nothing to render into is a TypeError, and nothing is mounted', async () => {
    const { page } = await open('esm.html', { id: await flow.createSession() });
    await widget(page).getByTestId('session-id').waitFor();
    const outcomes = await page.evaluate(() => {
      const attempt = (options) => {
        try {
          window.startSession(options);
          return 'no error';
        } catch (err) {
          return err.constructor.name;
        }
      };
      const id = crypto.randomUUID();
      return [
        attempt(),
        attempt(null),
        attempt('#flow-widget'),
        attempt({ id }),
        attempt({ id, selector: '#nothing-here' }),
        attempt({ id, selector: '###' }),
        attempt({ id, element: {} }),
        attempt({ id, element: document.getElementById('not-a-host') }),
      ];
    });
    assert.deepEqual(outcomes, Array(8).fill('TypeError'));
    assert.equal(await page.evaluate(() => document.getElementById('not-a-host').shadowRoot), null);
    await page.close();
  });

  test('a malformed id is shown in the widget and reported as flow:error', async () => {
    const { page } = await open('esm.html', { id: 'not-a-session' });
    await widget(page).getByRole('alert').waitFor();
    const errors = await events(page, 'flow:error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].type, 'invalid_options');
    assert.equal(errors[0].session_id, 'not-a-session');
    assert.equal(await widget(page).getByTestId('session-id').count(), 0);
    await page.close();
  });

  test('the session\'s own locale applies when the host names none', async () => {
    const id = await flow.createSession({ locale: 'ru' });
    const { page } = await open('esm.html', { id });
    await widget(page).getByTestId('intro').waitFor();
    assert.equal(await widget(page).locator('.fw-root').getAttribute('lang'), 'ru');
    assert.equal(await widget(page).locator('h1').textContent(), 'Подтверждение личности');
    // Bootstrap moved the session to PROGRESS; the intro lists the MRZ step.
    assert.equal(await widget(page).getByTestId('intro-step').count(), 1);
    await page.close();
  });

  test('an unknown session is shown and reported as session_not_found', async () => {
    const { page } = await open('esm.html', { id: randomUUID() });
    await widget(page).getByRole('alert').waitFor();
    assert.equal(await widget(page).getByRole('alert').getAttribute('data-error'), 'error-not-found');
    const errors = await events(page, 'flow:error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].type, 'session_not_found');
    assert.deepEqual(await events(page, 'flow:ready'), []);
    await page.close();
  });

  test('an unreachable server is a network error after retries, with a retry button', async () => {
    const { page } = await open('esm.html', { id: randomUUID(), api: 'http://127.0.0.1:9' });
    await widget(page).getByTestId('retry').waitFor({ timeout: 15000 });
    const errors = await events(page, 'flow:error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].type, 'network');
    await page.close();
  });

  test('a wasm that cannot load is reported as a network error in the widget', async () => {
    const { page } = await open('camera.html', {});
    await page.addScriptTag({ type: 'module', content: `
      import { startSession } from '/dist/flow-widget.js';
      const host = document.createElement('div');
      host.id = 'broken';
      document.body.append(host);
      startSession({ id: crypto.randomUUID(), element: host, assetsBase: '/no-such-dir/' });
    ` });
    await widget(page, '#broken').getByRole('alert').waitFor();
    const errors = await events(page, 'flow:error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].type, 'network');
    await page.close();
  });
});

test('importing the ES module without a window (SSR) does not throw', async () => {
  const module = await import(pathToFileURL(join(repoRoot, 'dist', 'flow-widget.js')).href);
  assert.equal(typeof module.startSession, 'function');
  assert.throws(() => module.startSession({ id: 'x', selector: '#x' }), TypeError);
});
