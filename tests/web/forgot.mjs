// tests/web/forgot.mjs - forgot password by phone in chromium: /forgot,
// the phone number, then the code from the SMS (read from the file
// transport's folder as it arrives) and the new password.
//   node forgot.mjs BASE PHONE SMSDIR PASSWORD SHOTDIR NAME
import { open, facts, submit, out, filesIn, codeIn } from './lib.mjs';

const [base, phone, smsdir, pw, shots, name] = process.argv.slice(2);
const before = filesIn(smsdir);

const { browser, page, problems } = await open();
try {
  await facts(page, 'ask', await page.goto(`${base}/forgot`), shots, name);
  await page.fill('#who', phone);
  await facts(page, 'sent', await submit(page), shots, name);
  const c = await codeIn(smsdir, before);
  await page.fill('#code', c);
  await page.fill('#password', pw);
  await page.fill('#password2', pw);
  await facts(page, 'done', await submit(page), shots, name);
} catch (e) {
  out({ step: 'error', error: String(e) });
} finally {
  out({ step: 'console', problems });
  await browser.close();
}
