// tests/web/export.mjs - a data request in chromium: "confirm" opens the
// confirmation link and confirms with the current password; "download"
// opens the download link, signs in and saves the file.
//   node export.mjs confirm URL PASSWORD SHOTDIR NAME
//   node export.mjs download URL USER PASSWORD SHOTDIR NAME SAVEAS
import { open, facts, submit, out } from './lib.mjs';

const [what, url, ...rest] = process.argv.slice(2);
const { browser, page, problems } = await open();
try {
  if (what === 'confirm') {
    const [pw, shots, name] = rest;
    await facts(page, 'confirm', await page.goto(url), shots, name);
    await page.fill('#password', pw);
    await facts(page, 'confirmed', await submit(page), shots, name);
  } else {
    const [user, pw, shots, name, saveas] = rest;
    await facts(page, 'signin', await page.goto(url), shots, name);
    await page.fill('#user', user);
    await page.fill('#password', pw);
    const [dl] = await Promise.all([page.waitForEvent('download'),
      page.click('button[type=submit]')]);
    await dl.saveAs(saveas);
    out({ step: 'download', file: dl.suggestedFilename() });
  }
} catch (e) {
  out({ step: 'error', error: String(e) });
} finally {
  out({ step: 'console', problems });
  await browser.close();
}
