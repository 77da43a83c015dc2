// tests/web/tv.mjs - a TV sign-in in chromium, while pam_vouch_device
// waits: the address the TV shows (with its code), sign in, the security
// check, then approve or deny.
//   node tv.mjs URL USER PASSWORD MAILDIR SHOTDIR NAME code
//     the code from the email (a wrong one first), then Approve;
//   node tv.mjs URL USER PASSWORD MAILDIR SHOTDIR NAME card NUMBER
//     "try another way": the card number, then Deny.
import { open, facts, submit, out, filesIn, codeIn } from './lib.mjs';

const [url, user, pw, maildir, shots, name, way, card] = process.argv.slice(2);
const before = filesIn(maildir);

const { browser, page, problems } = await open();
try {
  await facts(page, 'signin', await page.goto(url), shots, name);
  out({ step: 'prefilled', code: await page.inputValue('#code') });
  await page.fill('#user', user);
  await page.fill('#password', pw);
  await facts(page, 'check', await submit(page), shots, name);
  if (way === 'code') {
    const c = await codeIn(maildir, before);
    const wrong = String((Number(c) + 1) % 1000000).padStart(6, '0');
    await page.fill('#code', wrong);
    await facts(page, 'wrong', await submit(page), shots, name);
    await facts(page, 'resend',
      await submit(page, 'button[value=resend]'), shots, name);
    await page.fill('#code', c);
    await facts(page, 'approve', await submit(page), shots, name);
    await facts(page, 'done', await submit(page, 'button[value=approve]'),
      shots, name);
  } else {
    await facts(page, 'card', await submit(page, 'button[value=card]'),
      shots, name);
    await page.fill('#card', card);
    await facts(page, 'approve', await submit(page), shots, name);
    await facts(page, 'done', await submit(page, 'button[value=deny]'),
      shots, name);
  }
} catch (e) {
  out({ step: 'error', error: String(e) });
} finally {
  out({ step: 'console', problems });
  await browser.close();
}
