// tests/web/browser.mjs - a member in Debian's chromium (headless, driven
// by playwright-core) follows a reset link on a 320-px-wide phone: the
// form, a mismatch, then the new password.  Prints one JSON line a step
// (tests/web/browser.sh asserts them) and saves a screenshot of each page.
//   node browser.mjs URL PASSWORD SHOTDIR NAME
import { chromium } from 'playwright-core';

const [url, pw, shots, name] = process.argv.slice(2);
const out = (o) => console.log(JSON.stringify(o));
const problems = [];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking'],
  headless: true,
  timeout: 30000,
});
try {
  const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
  page.setDefaultTimeout(20000);
  // Errors other than the page's own 4xx status (CSP violations, a
  // stylesheet or icon that failed).
  page.on('console', (m) => {
    if (m.type() === 'error' &&
        !/^Failed to load resource: the server responded with a status of 4(00|10) /.test(m.text()))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));

  const facts = async (step, resp) => {
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
  };

  let resp = await page.goto(url);
  await facts('form', resp);
  await page.fill('#password', pw);
  await page.fill('#password2', pw + 'x');
  [resp] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await facts('mismatch', resp);
  await page.fill('#password', pw);
  await page.fill('#password2', pw);
  [resp] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  await facts('done', resp);
  resp = await page.goto(url);
  await facts('used', resp);
} catch (e) {
  out({ step: 'error', error: String(e) });
} finally {
  out({ step: 'console', problems });
  await browser.close();
}
