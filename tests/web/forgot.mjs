// tests/web/forgot.mjs - forgot password by phone in chromium: /forgot,
// the phone number, then the code from the SMS (read from the file
// transport's folder as it arrives) and the new password.
//   node forgot.mjs BASE PHONE SMSDIR PASSWORD SHOTDIR NAME
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { open, facts, submit, out } from './lib.mjs';

const [base, phone, smsdir, pw, shots, name] = process.argv.slice(2);
const before = new Set(readdirSync(smsdir));

// The code of the first SMS that was not there before, within 20 s.
async function code() {
  for (let i = 0; i < 200; i++) {
    const fresh = readdirSync(smsdir).filter((f) => !before.has(f) &&
      statSync(`${smsdir}/${f}`).size > 0);
    if (fresh.length) {
      const text = readFileSync(`${smsdir}/${fresh[0]}`, 'utf8');
      const m = text.split('\n\n').slice(1).join('\n').match(/\d{6}/);
      if (m) return m[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no SMS arrived');
}

const { browser, page, problems } = await open();
try {
  await facts(page, 'ask', await page.goto(`${base}/forgot`), shots, name);
  await page.fill('#who', phone);
  await facts(page, 'sent', await submit(page), shots, name);
  const c = await code();
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
