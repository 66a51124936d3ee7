// The inbox count in the rail is live: while Ana's inbox is open, another member asks her
// something through the API and the count changes in place, with no reload, no sound and no
// toast. The stream is an EventSource on the same origin, so the CSP's connect-src 'self' holds.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Member, PASSWORD, api, launchBrowser, shot, startBaton, testPageChecks } from '../lib/baton.mjs';

let baton;
let browser;
let ana;
let rest;
let anaId;
let space;

before(async () => {
  baton = await startBaton('live', {
    bootstrap: { workspace: 'Live', email: 'kim@live.example', name: 'Kim Live', timezone: 'UTC' },
  });
  rest = api(baton.base, baton.owner.token);
  anaId = (await rest.post('/members', {
    email: 'ana@live.example', name: 'Ana', timezone: 'UTC', password: PASSWORD,
  })).id;
  space = await rest.post('/spaces', { name: 'General', visibility: 'public' });
  browser = await launchBrowser();
  ana = await Member.open(browser, baton.base, 'ana');
  assert.equal(await ana.signIn('ana@live.example'), 200);
});

after(async () => {
  await ana?.close();
  await browser?.close();
  await baton?.stop();
});

test('the rail count follows a new ask without a reload', async () => {
  await shot(ana, 'live-inbox-count', async () => {
    const { page } = ana;
    // The stream is listening once the server has answered it (it subscribes before it
    // answers), so an ask made after that cannot be missed.
    const streamOpen = page.waitForResponse((r) => r.url().endsWith('/api/v1/inbox/stream'));
    assert.equal(await ana.goto('/inbox'), 200);
    assert.equal((await streamOpen).status(), 200);
    const count = page.locator('[data-live-inbox]');
    assert.equal((await count.textContent()).trim(), '0');
    // A mark on this document: it survives only if the page is not reloaded.
    await page.evaluate(() => { window.batonLiveMark = true; });
    await rest.post('/threads', {
      space_id: space.id, title: 'Review the plan', body: 'Please look.',
      expectation: { kind: 'reply', within_minutes: 480, of: [anaId] },
    });
    await page.waitForFunction(() => document.querySelector('[data-live-inbox]').textContent.trim() === '1');
    assert.equal(await count.getAttribute('aria-label'), '1 open asks');
    assert.equal(await page.evaluate(() => window.batonLiveMark), true, 'the page was not reloaded');
  });
});

testPageChecks('live');
