// Every page of the left rail, as the owner and as a plain member, through the page checks
// (labels, phone width, dark mode, weight, CSP), plus the pages a member may not open.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Member, PASSWORD, api, launchBrowser, shot, startBaton, testPageChecks } from '../lib/baton.mjs';

let baton;
let browser;
let people;
let rest;

before(async () => {
  baton = await startBaton('pages', {
    bootstrap: { workspace: 'Tour', email: 'tess@tour.example', name: 'Tess Tour', timezone: 'Australia/Sydney' },
  });
  rest = api(baton.base, baton.owner.token);
  const mo = await rest.post('/members', {
    email: 'mo@tour.example', name: 'Mo Member', timezone: 'America/Los_Angeles', password: PASSWORD, role: 'member',
  });
  const space = await rest.post('/spaces', { name: 'Harbour', visibility: 'public' });
  const thread = await rest.post('/threads', {
    space_id: space.id, title: 'Ferry times', body: 'When does the **last ferry** leave?',
  });
  const relay = await rest.post('/relays', { name: 'Follow the sun', legs: [baton.owner.member_id, mo.id] });
  const stick = await rest.post('/batons', {
    title: 'Timetable rewrite', description: 'Carry it **west**.', relay_id: relay.id, holder_id: baton.owner.member_id,
  });
  // A decision meeting three days ahead (real clock), with an agenda and pre-work: invited.
  const start = new Date(Math.ceil((Date.now() + 3 * 86_400_000) / 3_600_000) * 3_600_000).toISOString();
  const meeting = await rest.post('/meetings', {
    title: 'Pick the ferry operator', purpose: 'decision', participants: [mo.id], duration_minutes: 30, start,
    space_id: space.id, agenda: [{ item: 'Decide', owner_id: mo.id, minutes: 30 }],
    prework: [{ what: 'Read the two offers' }],
  });
  people = {
    owner: baton.owner.member_id, mo: mo.id, space: space.id, thread: thread.id, relay: relay.id, baton: stick.id,
    meeting: meeting.id,
  };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await baton?.stop();
});

/** The pages every signed-in member can open. */
function memberPages() {
  return ['/inbox', '/spaces', `/spaces/${people.space}`, `/spaces/${people.space}/members`,
    `/spaces/${people.space}/threads/new`, `/threads/${people.thread}`, '/batons', `/batons/${people.baton}`,
    `/relays/${people.relay}`, '/people',
    `/people/${people.owner}`, `/people/${people.mo}`, '/settings', '/settings/schedule',
    '/settings/notifications', '/settings/webhooks', '/settings/calendars',
    `/meetings/find-a-time?with=${people.owner}&with=${people.mo}&minutes=60&days=7&weekly=on`,
    '/meetings', '/meetings/new', `/meetings/${people.meeting}`, '/meetings/hangouts'];
}

/** The pages only admins can open (the space's webhooks: admins and its creator, the owner here). */
function adminPages() {
  return ['/admin/members', '/admin/spaces', '/admin/deliveries', '/admin/urgent', `/spaces/${people.space}/webhooks`];
}

/** Opens each of `paths` as `member`, expecting 200 and a level-one heading. */
async function tour(member, paths) {
  for (const path of paths) {
    assert.equal(await member.goto(path), 200, `${path} as ${member.who}`);
    assert.equal(await member.page.getByRole('heading', { level: 1 }).count(), 1, `${path} has one h1`);
  }
}

test('the owner can open every page, administration included', async () => {
  const owner = await Member.open(browser, baton.base, 'owner', 'Australia/Sydney');
  try {
    await shot(owner, 'pages-owner', async () => {
      assert.equal(await owner.signIn('tess@tour.example'), 200);
      await tour(owner, [...memberPages(), ...adminPages()]);

      // The space's page leads to its webhooks; adding one shows the secret once, with how to
      // check a signature, and that page passes the checks too (the phone width above all).
      assert.equal(await owner.goto(`/spaces/${people.space}`), 200);
      assert.equal(await owner.clickThrough(owner.page.getByRole('link', { name: 'Webhooks' })), 200);
      await owner.page.getByLabel('Webhook URL').fill('https://93.184.216.34/baton');
      assert.equal(await owner.clickThrough(owner.page.getByRole('button', { name: 'Add webhook' })), 200);
      assert.match(await owner.page.getByLabel('Signing secret of the new webhook').inputValue(), /^whsec_[0-9a-f]{64}$/);
      assert.equal(await owner.page.getByRole('button', { name: 'Delete the webhook to https://93.184.216.34/baton' }).count(), 1);
    });
  } finally {
    await owner.close();
  }
});

test('a member can open every page but administration, and unknown addresses are 404', async () => {
  const mo = await Member.open(browser, baton.base, 'member', 'America/Los_Angeles');
  try {
    await shot(mo, 'pages-member', async () => {
      assert.equal(await mo.signIn('mo@tour.example'), 200);
      await tour(mo, memberPages());
      for (const path of adminPages()) {
        assert.equal(await mo.goto(path), 403, `${path} is for admins`);
      }
      for (const path of ['/threads/00000000-0000-0000-0000-000000000000', '/spaces/not-an-id', '/no-such-page']) {
        assert.equal(await mo.goto(path), 404, path);
      }
    });
  } finally {
    await mo.close();
  }
});

testPageChecks('pages');
