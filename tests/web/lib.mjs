// tests/web/lib.mjs - what the browser runs of the web tests share:
// Debian's chromium (headless, playwright-core), a 320-px-wide page that
// records console errors, and the facts of each page (one JSON line a
// step, a screenshot a step), which the shell tests assert.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const out = (o) => console.log(JSON.stringify(o));

export async function open() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
    headless: true,
    timeout: 30000,
  });
  const context = await browser.newContext({
    viewport: { width: 320, height: 640 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const problems = [];
  // Errors other than the page's own 4xx status (CSP violations, a
  // stylesheet or icon that failed).
  page.on('console', (m) => {
    if (m.type() === 'error' &&
        !/^Failed to load resource: the server responded with a status of 4(00|03|10) /.test(m.text()))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { browser, page, problems };
}

// The facts of the page now, printed, and its screenshot.
export async function facts(page, step, resp, shots, name) {
  const o = {
    step,
    status: resp ? resp.status() : 0,
    lang: await page.getAttribute('html', 'lang'),
    h1: (await page.textContent('h1')).trim(),
    alert: (await page.locator('[role=alert]').count())
      ? (await page.textContent('[role=alert]')).trim() : '',
    // Readable on a phone: nothing wider than the screen.
    fits: await page.evaluate(() =>
      document.documentElement.scrollWidth <= window.innerWidth),
    labelled: await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden])')]
        .every((i) => i.labels && i.labels.length === 1)),
    styled: await page.evaluate(() => document.styleSheets.length === 1 &&
      getComputedStyle(document.querySelector('main')).maxWidth !== 'none'),
    scripts: await page.evaluate(() => document.scripts.length),
  };
  await page.screenshot({ path: `${shots}/${name}-${step}.png`, fullPage: true });
  out(o);
}

// Submits the form of the first button of sel (default: the first
// submit button) and waits for the next page; its response.
export async function submit(page, sel = 'button[type=submit]') {
  const [resp] = await Promise.all([page.waitForNavigation(), page.click(sel)]);
  return resp;
}

// The names in dir now: what codeIn then takes as old.
export const filesIn = (dir) => new Set(readdirSync(dir));

// The 6-digit code in the body (after the first blank line: headers,
// an SMS file's "To:" line) of the first message of the file transport
// that was not among before, within 20 s.
export async function codeIn(dir, before) {
  for (let i = 0; i < 200; i++) {
    const fresh = readdirSync(dir).filter((f) => !before.has(f) &&
      statSync(`${dir}/${f}`).size > 0);
    if (fresh.length) {
      const text = readFileSync(`${dir}/${fresh[0]}`, 'utf8');
      const m = text.split(/\r?\n\r?\n/).slice(1).join('\n')
        .match(/\b\d{6}\b/);
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message with a code arrived in ${dir}`);
}
