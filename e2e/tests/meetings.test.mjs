// Requesting a meeting through the web page, as a person would: the purpose gate answers a
// meeting "for anything else" with the async alternatives first and keeps everything typed;
// with a named purpose the request lands on the meeting's page, which shows each participant's
// own time. The justification field shows only for "Other" (CSS, no script).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Member, PASSWORD, api, launchBrowser, startBaton, story, testPageChecks, visibleText } from '../lib/baton.mjs';

let baton;
let browser;

before(async () => {
  baton = await startBaton('meetings', {
    bootstrap: { workspace: 'Meet', email: 'mira@meet.example', name: 'Mira Meet', timezone: 'Europe/Berlin' },
  });
  const rest = api(baton.base, baton.owner.token);
  await rest.post('/members', {
    email: 'kai@meet.example', name: 'Kai Tokyo', timezone: 'Asia/Tokyo', password: PASSWORD, role: 'member',
  });
  await rest.post('/spaces', { name: 'Vendors', visibility: 'public' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await baton?.stop();
});

/** A day five days ahead at 10:00, as a `datetime-local` value: in the future in any zone. */
function startValue() {
  const day = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
  return `${day}T10:00`;
}

test('a meeting request passes the purpose gate and lands on the meeting page', async (t) => {
  const mira = await Member.open(browser, baton.base, 'mira', 'Europe/Berlin');
  const step = story(t, 'meetings');
  const { page } = mira;
  try {
    await step('the empty meetings page leads to the request form', mira, async () => {
      assert.equal(await mira.signIn('mira@meet.example'), 200);
      assert.equal(await mira.clickThrough(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Meetings', exact: true })), 200);
      assert.match(await visibleText(page.locator('main')), /the exception/);
      assert.equal(await mira.clickThrough(page.getByRole('link', { name: 'request a meeting' })), 200);
      assert.equal(new URL(page.url()).pathname, '/meetings/new');
    });

    await step('the justification shows only for Other', mira, async () => {
      const justification = page.getByLabel('Why can this not be done in writing?');
      await page.getByLabel('Purpose').selectOption('decision');
      assert.equal(await justification.isVisible(), false);
      await page.getByLabel('Purpose').selectOption('other');
      assert.equal(await justification.isVisible(), true);
    });

    await step('Other without a justification gets the async alternatives, all typed kept', mira, async () => {
      await page.getByLabel('Title').fill('Choose the hosting vendor');
      await page.getByLabel('Kai Tokyo').check();
      await page.getByLabel('Starts').fill(startValue());
      await page.getByLabel('Length in minutes').fill('45');
      await page.getByLabel('Space for the notes').selectOption({ label: 'Vendors' });
      await page.getByLabel('Item 1', { exact: true }).fill('Objections to the proposal');
      await page.locator('#agenda-minutes-1').fill('15');
      await page.getByLabel('Item 2', { exact: true }).fill('Decide');
      await page.locator('#agenda-minutes-2').fill('30');
      await page.getByLabel('Pre-work 1', { exact: true }).fill('Read the vendor comparison');
      assert.equal(await mira.clickThrough(page.getByRole('button', { name: 'Request meeting' })), 422);
      const answer = await visibleText(page.getByRole('region', { name: 'Could this be asynchronous?' }));
      assert.match(answer, /Start a thread with a reply expectation/);
      assert.match(answer, /Write a decision record/);
      assert.match(answer, /Ask a check-in question/);
      assert.equal(await page.getByLabel('Title').inputValue(), 'Choose the hosting vendor');
      assert.equal(await page.getByLabel('Item 2', { exact: true }).inputValue(), 'Decide');
      assert.equal(await page.getByLabel('Kai Tokyo').isChecked(), true);
    });

    await step('an agenda row is added without a script', mira, async () => {
      assert.equal(await mira.clickThrough(page.getByRole('button', { name: 'Add an agenda row' })), 200);
      assert.equal(await page.getByLabel('Item 4', { exact: true }).count(), 1);
      assert.equal(await page.getByLabel('Title').inputValue(), 'Choose the hosting vendor');
    });

    await step('a decision goes through and lands on the meeting page', mira, async () => {
      await page.getByLabel('Purpose').selectOption('decision');
      assert.equal(await mira.clickThrough(page.getByRole('button', { name: 'Request meeting' })), 200);
      assert.match(new URL(page.url()).pathname, /^\/meetings\/[0-9a-f-]{36}$/);
      assert.equal(await visibleText(page.getByRole('heading', { level: 1 })), 'Choose the hosting vendor');
      const who = await visibleText(page.getByRole('region', { name: 'Who, in their own time' }));
      assert.match(who, /Kai Tokyo/);
      assert.match(who, /Tokyo/);
      assert.match(await visibleText(page.locator('main')), /45 of 45 minutes planned/);
      assert.equal(await mira.clickThrough(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Meetings', exact: true })), 200);
      const upcoming = await visibleText(page.getByRole('region', { name: 'Upcoming' }));
      assert.match(upcoming, /Choose the hosting vendor/);
    });
  } finally {
    await mira.close();
  }
});

testPageChecks('meetings');
