// Follow the sun, as the demo team would live it: a baton passed round the demo's relay (Sydney,
// Tokyo, Kolkata, Berlin, São Paulo, Los Angeles and back to Sydney) through the web pages, one
// leg after another, in one simulated day. The test moves time by writing the server's clock
// file, never by sleeping: after each handoff it jumps to the moment the baton reaches its
// receiver. The baton links the demo's release thread, pasted as a link; its history reads in
// order; the relay page's chart draws exactly the coverage API's gaps; and the first leg, the
// baton back in her hands the next morning, marks it done.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Member, api, launchBrowser, startBaton, story, testPageChecks, visibleText } from '../lib/baton.mjs';

/** Every demo member's password (crates/baton/src/demo.rs). */
const DEMO_PASSWORD = 'relay-the-baton';
/** The demo relay's legs in order: (email local part, name, time zone), as demo.rs seeds them. */
const LEGS = [
  ['olivia', 'Olivia Harris', 'Australia/Sydney'],
  ['yuki', 'Yuki Tanaka', 'Asia/Tokyo'],
  ['priya', 'Priya Raman', 'Asia/Kolkata'],
  ['lukas', 'Lukas Becker', 'Europe/Berlin'],
  ['ana', 'Ana Souza', 'America/Sao_Paulo'],
  ['maya', 'Maya Chen', 'America/Los_Angeles'],
];
/** One simulated day: the lap, from Olivia's first handoff to her taking the baton back. */
const DAY_MS = 24 * 3_600_000;
/** How long each receiver takes to open the baton page once it has reached them. */
const READING_MS = 5 * 60 * 1000;

const scratch = mkdtempSync(join(tmpdir(), 'baton-relay-clock-'));
const clockFile = join(scratch, 'now');
/** The instant the server calls "now", in ms since the epoch (set before the server starts). */
let now;

/** Moves the server's clock to `ms` (it reads the file on every call). */
function setClock(ms) {
  now = ms;
  writeFileSync(clockFile, `${new Date(ms).toISOString()}\n`);
}

/** `ts` on the clocks of `timeZone`, the way Baton writes it: "Tue 09:00". */
function weekdayTime(ts, timeZone) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(ts));
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('weekday')} ${part('hour')}:${part('minute')}`;
}

/**
 * A Monday 09:00 in Sydney at least ten days ahead of the real clock, the first leg's morning:
 * the demo's schedules are seeded relative to the real date (Ana's week off starts four days
 * from now), and a lap that starts on a Monday crosses no daylight-saving change in any leg's
 * zone. From here each leg's morning follows the last one's, westward, and the baton is back in
 * Sydney the next morning.
 */
function firstMorning() {
  let t = Math.ceil((Date.now() + 10 * DAY_MS) / 3_600_000) * 3_600_000;
  while (weekdayTime(t, 'Australia/Sydney') !== 'Mon 09:00') t += 3_600_000;
  return t;
}
const START = firstMorning();

/** Midnight starting Monday of `ts`'s week in `timeZone`, and the Monday after, in ms. */
function weekIn(ts, timeZone) {
  // Walk back hour by hour to the last local Monday 00:00; the demo zones have whole-hour
  // offsets at midnight, so an hour's step lands on it.
  let t = Math.floor(ts / 3_600_000) * 3_600_000;
  while (weekdayTime(t, timeZone) !== 'Mon 00:00') t -= 3_600_000;
  let end = t + 7 * 24 * 3_600_000 - 3 * 3_600_000;
  while (weekdayTime(end, timeZone) !== 'Mon 00:00') end += 3_600_000;
  return [t, end];
}

let baton;
let browser;
let maya;
const members = new Map();

before(async () => {
  setClock(START);
  baton = await startBaton('relay', { demo: true, clockFile });
  browser = await launchBrowser();
  const token = /API token for Maya \(new for this start\): (\S+)/.exec(baton.output())?.[1];
  assert.ok(token, `the demo printed no API token for Maya:\n${baton.output()}`);
  maya = api(baton.base, token);
});

after(async () => {
  for (const m of members.values()) await m.close();
  await browser?.close();
  await baton?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** `local`'s browser, signed in on first use (the session lasts the simulated day). */
async function as(local, timeZone) {
  if (!members.has(local)) {
    const member = await Member.open(browser, baton.base, local, timeZone);
    members.set(local, member);
    assert.equal(await member.signIn(`${local}@relaylabs.example`, DEMO_PASSWORD), 200);
  }
  return members.get(local);
}

test('the demo team passes a baton round the world in one simulated day', async (t) => {
  const step = story(t, 'relay');
  const olivia = await as('olivia', 'Australia/Sydney');
  let batonPath;
  let relayPath;
  let ids;
  /** Receivers the baton reached later than it was sent, because they were off. */
  const waited = [];
  /** When the last leg's handoff was accepted: the baton back with the first leg. */
  let lapEnd;

  await step('Olivia starts a baton on the demo relay and links the release thread', olivia, async () => {
    const { page } = olivia;
    assert.equal(await olivia.goto('/batons'), 200);
    // The demo's own baton, handed from Tokyo to Kolkata, links the thread where releases are
    // discussed; Olivia copies that thread's address.
    await olivia.clickThrough(page.getByRole('link', { name: 'Release 2.4', exact: true }));
    const threadHref = await page.locator('ul.baton-threads a').first().getAttribute('href');
    const threadTitle = await visibleText(page.locator('ul.baton-threads a').first());
    assert.match(threadHref, /^\/threads\/[^/]+$/);
    assert.equal(await olivia.goto('/batons'), 200);
    await page.getByLabel('Title').fill('Release 2.5 around the world');
    await page.getByLabel('Description').fill('Build, smoke tests, publish and announce, one region after another.');
    assert.equal(await page.getByLabel('First holder').inputValue(), await page.getByLabel('First holder')
      .locator('option', { hasText: 'Olivia Harris' }).getAttribute('value'), 'the creator holds it first');
    await page.getByLabel('Relay').selectOption({ label: 'Release train' });
    assert.equal(await olivia.clickThrough(page.getByRole('button', { name: 'Create baton' })), 200);
    batonPath = new URL(page.url()).pathname;
    assert.match(batonPath, /^\/batons\/[^/]+$/);
    await page.getByRole('heading', { name: 'Release 2.5 around the world' }).waitFor();

    await page.getByLabel('Link a thread').fill(`${baton.base}${threadHref}?from=chat#top`);
    assert.equal(await olivia.clickThrough(page.getByRole('button', { name: 'Link thread' })), 200);
    await page.locator('ul.baton-threads').getByRole('link', { name: threadTitle }).waitFor();
    const detail = await maya.get(`/batons/${batonPath.split('/').pop()}`);
    assert.deepEqual(detail.threads.map((th) => th.link), [threadHref], 'the API lists the linked thread');

    relayPath = await page.getByRole('link', { name: 'Release train' }).getAttribute('href');
    const relay = await maya.get(`/relays/${relayPath.split('/').pop()}`);
    const members = await Promise.all(relay.legs.map((id) => maya.get(`/members/${id}`)));
    assert.deepEqual(members.map((m) => m.name), LEGS.map(([, name]) => name), 'the demo relay, in order');
    ids = relay.legs;
  });

  for (const [i, [fromLocal, fromName, fromZone]] of LEGS.entries()) {
    const [toLocal, toName, toZone] = LEGS[(i + 1) % LEGS.length];
    const holder = await as(fromLocal, fromZone);
    let deliversAt;

    await step(`${fromName} hands the baton to ${toName} with a note`, holder, async () => {
      const { page } = holder;
      assert.equal(await holder.goto(batonPath), 200);
      assert.match(await visibleText(page.locator('main')), new RegExp(`Held by ${fromName}`));
      const receiver = page.getByLabel('Pass to');
      assert.equal(await receiver.inputValue(), ids[(i + 1) % LEGS.length], 'the next leg is chosen for them');
      await page.getByLabel('Where it stands').fill(`Leg ${i + 1} done in ${fromZone}.`);
      await page.getByLabel('Next step').fill(`Carry on from ${toZone}.`);
      await page.getByLabel('Blockers').fill('none');
      await page.getByLabel('Links').fill('docs/releases/2.5');
      assert.equal(await holder.clickThrough(page.getByRole('button', { name: 'Hand off' })), 200);
      const detail = await maya.get(`/batons/${batonPath.split('/').pop()}`);
      const handoff = detail.handoffs.at(-1);
      assert.equal(handoff.to_id, ids[(i + 1) % LEGS.length]);
      deliversAt = Date.parse(handoff.delivers_at);
      assert.ok(deliversAt >= now, 'never delivered in the past');
      if (deliversAt > now) {
        // Off-hours: it waits for the receiver's next working start, shown in their time.
        waited.push(toName);
        const text = await visibleText(page.locator('main'));
        assert.ok(text.includes(`Handoff to ${toName} waiting: it reaches them ${weekdayTime(deliversAt, toZone)}`),
          `the page tells when it reaches ${toName}: ${text}`);
        const schedule = await maya.get(`/members/${ids[(i + 1) % LEGS.length]}/schedule`);
        const day = weekdayTime(deliversAt, toZone).slice(0, 3).toLowerCase();
        const starts = (schedule.weekly[day] ?? []).map(([start]) => start);
        assert.ok(starts.includes(weekdayTime(deliversAt, toZone).slice(4)),
          `${toName}'s baton arrives at one of their working starts (${starts.join(', ')})`);
      } else {
        await page.getByText(`Handoff to ${toName} waiting for them to accept.`).waitFor();
      }
    });

    const receiver = await as(toLocal, toZone);
    await step(`time moves to ${toName}'s working time and ${toName} accepts`, receiver, async () => {
      setClock(Math.max(now, deliversAt) + READING_MS);
      const { page } = receiver;
      assert.equal(await receiver.goto(batonPath), 200);
      await page.getByRole('heading', { name: 'Handed to you' }).waitFor();
      assert.equal(await receiver.clickThrough(page.getByRole('button', { name: 'Accept' })), 200);
      const text = await visibleText(page.locator('main'));
      assert.match(text, new RegExp(`Held by ${toName} · \\d\\d:\\d\\d in [^·]+ · working now`),
        `${toName} holds it inside their working hours`);
      lapEnd = now;
      setClock(now + READING_MS);
    });
  }

  await step('the lap took one simulated day and the history reads in order', olivia, async () => {
    assert.ok(waited.length >= 2, `the trip meets receivers off-hours (only ${waited.join(', ')} waited)`);
    assert.ok(lapEnd - START <= DAY_MS, `round the world within a day, not ${(lapEnd - START) / 3_600_000} h`);
    t.diagnostic(`lap: ${((lapEnd - START) / 3_600_000).toFixed(2)} simulated hours from ${new Date(START).toISOString()}`);
    assert.equal(await olivia.goto(batonPath), 200);
    const items = olivia.page.locator('ol.handoffs > li');
    assert.equal(await items.count(), LEGS.length);
    for (const [i, [, fromName]] of LEGS.entries()) {
      const toName = LEGS[(i + 1) % LEGS.length][1];
      const item = await visibleText(items.nth(i));
      assert.ok(item.startsWith(`${fromName} → ${toName}`), `handoff ${i + 1}: ${item}`);
      assert.match(item, new RegExp(`Accepted by ${toName}`));
      assert.match(item, new RegExp(`Leg ${i + 1} done in`));
    }
  });

  const viewer = await as('maya', 'America/Los_Angeles');
  await step('the relay chart shows the demo relay\'s real gap', viewer, async () => {
    const { page } = viewer;
    const [from, to] = weekIn(now, 'America/Los_Angeles');
    const query = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
    const coverage = await maya.get(`/relays/${relayPath.split('/').pop()}/coverage?${query}`);
    assert.ok(coverage.gaps.length > 0, 'six legs round the world still leave a gap (the weekend)');
    assert.equal(await viewer.goto(relayPath), 200);
    const chart = page.locator('svg.coverage-chart');
    const spans = (selector) => chart.locator(selector).evaluateAll((rects) => rects.map((r) => ({
      start: r.dataset.start, end: r.dataset.end,
    })));
    assert.deepEqual(await spans('g.cov-gap > rect'), coverage.gaps, 'the red bars are the API\'s gaps');
    assert.deepEqual(await spans('g.cov-covered > rect'), coverage.covered, 'the covered row is the API\'s');
    assert.equal(await chart.locator('g.cov-leg').count(), LEGS.length, 'a row per leg');
    const label = await chart.getAttribute('aria-label');
    const n = coverage.gaps.length;
    assert.ok(label.includes(`${n} ${n === 1 ? 'gap' : 'gaps'}`), label);
    const listed = page.locator('h3:text-is("Gaps") + ul > li');
    assert.equal(await listed.count(), n);
    for (const [i, gap] of coverage.gaps.entries()) {
      const line = await visibleText(listed.nth(i));
      const start = weekdayTime(Date.parse(gap.start), 'America/Los_Angeles');
      const end = weekdayTime(Date.parse(gap.end), 'America/Los_Angeles');
      assert.ok(line.startsWith(`Gap: ${start}`), `gap ${i + 1} starts ${start} in Maya's time: ${line}`);
      assert.ok(line.includes(end.slice(4)), `gap ${i + 1} ends ${end}: ${line}`);
    }
  });

  await step('back with Olivia, the baton is marked done and leaves the open list', olivia, async () => {
    const { page } = olivia;
    assert.equal(await olivia.goto(batonPath), 200);
    assert.equal(await olivia.clickThrough(page.getByRole('button', { name: 'Mark done' })), 200);
    await page.getByText('This baton is done.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Hand off' }).count(), 0, 'a done baton is not passed on');
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    assert.equal(await olivia.goto('/batons'), 200);
    const done = page.locator('ul.batons.done');
    await done.getByRole('link', { name: 'Release 2.5 around the world' }).waitFor();
  });
});

testPageChecks('relay');
