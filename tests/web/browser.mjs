// tests/web/browser.mjs - a member in Debian's chromium (headless, driven
// by playwright-core) follows a reset link on a 320-px-wide phone: the
// form, a mismatch, then the new password.  Prints one JSON line a step
// (tests/web/browser.sh asserts them) and saves a screenshot of each page.
//   node browser.mjs URL PASSWORD SHOTDIR NAME
import { open, facts, submit, out } from './lib.mjs';

const [url, pw, shots, name] = process.argv.slice(2);
const { browser, page, problems } = await open();
try {
  await facts(page, 'form', await page.goto(url), shots, name);
  await page.fill('#password', pw);
  await page.fill('#password2', pw + 'x');
  await facts(page, 'mismatch', await submit(page), shots, name);
  await page.fill('#password', pw);
  await page.fill('#password2', pw);
  await facts(page, 'done', await submit(page), shots, name);
  await facts(page, 'used', await page.goto(url), shots, name);
} catch (e) {
  out({ step: 'error', error: String(e) });
} finally {
  out({ step: 'console', problems });
  await browser.close();
}
