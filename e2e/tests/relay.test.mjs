// Follow the sun, as the demo team would live it: a baton passed round the demo's relay (Berlin,
// Kolkata, Tokyo, Sydney, Los Angeles, São Paulo and back to Berlin) through the web pages,
// one leg after another over a simulated day. The test moves time by writing the server's clock
// file, never by sleeping: after each handoff it jumps to the moment the baton reaches its
// receiver. Then the baton's history reads in order, the relay page's chart and its gap list
// show the demo relay's real gap, and the last holder marks the baton done.

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
  ['lukas', 'Lukas Becker', 'Europe/Berlin'],
  ['priya', 'Priya Raman', 'Asia/Kolkata'],
  ['yuki', 'Yuki Tanaka', 'Asia/Tokyo'],
  ['olivia', 'Olivia Harris', 'Australia/Sydney'],
  ['maya', 'Maya Chen', 'America/Los_Angeles'],
  ['ana', 'Ana Souza', 'America/Sao_Paulo'],
];
/**
 * Monday 23 November 2026, 09:05 in Berlin (08:05 UTC), the first leg's morning. From here the
 * baton meets Priya's lunch break, Sydney's night and São Paulo's evening, and is back in Berlin
 * by Tuesday lunchtime: each leg works one day's stretch of the trip.
 */
const START = Date.parse('2026-11-23T08:05:00Z');
/** Longest the trip may take: one day plus the hours Berlin is ahead of the last leg's morning. */
const TRIP_LIMIT_MS = 30 * 3_600_000;
/** How long each receiver takes to open the baton page once it has reached them. */
const READING_MS = 5 * 60 * 1000;

const scratch = mkdtempSync(join(tmpdir(), 'baton-relay-clock-'));
const clockFile = join(scratch, 'now');
/** The instant the server calls "now", in ms since the epoch. */
let now = START;

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
  const lukas = await as('lukas', 'Europe/Berlin');
  let batonPath;
  let relayPath;
  let ids;
  /** Receivers the baton reached later than it was sent, because they were off. */
  const waited = [];

  await step('Lukas starts a baton on the demo relay', lukas, async () => {
    const { page } = lukas;
    assert.equal(await lukas.goto('/batons'), 200);
    await page.getByLabel('Title').fill('Release 2.5 around the world');
    await page.getByLabel('Description').fill('Build, smoke tests, publish and announce, one region after another.');
    assert.equal(await page.getByLabel('First holder').inputValue(), await page.getByLabel('First holder')
      .locator('option', { hasText: 'Lukas Becker' }).getAttribute('value'), 'the creator holds it first');
    await page.getByLabel('Relay').selectOption({ label: 'Release train' });
    assert.equal(await lukas.clickThrough(page.getByRole('button', { name: 'Create baton' })), 200);
    batonPath = new URL(page.url()).pathname;
    assert.match(batonPath, /^\/batons\/[^/]+$/);
    await page.getByRole('heading', { name: 'Release 2.5 around the world' }).waitFor();
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
      setClock(now + READING_MS);
    });
  }

  await step('the whole trip took one simulated day and the history reads in order', lukas, async () => {
    assert.ok(waited.length >= 2, `the trip meets receivers off-hours (only ${waited.join(', ')} waited)`);
    assert.ok(now - START <= TRIP_LIMIT_MS, `round the world in about a day, not ${(now - START) / 3_600_000} h`);
    assert.equal(await lukas.goto(batonPath), 200);
    const items = lukas.page.locator('ol.handoffs > li');
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
    assert.ok(coverage.gaps.length > 0, 'six legs from Berlin to São Paulo still leave a gap');
    assert.equal(await viewer.goto(relayPath), 200);
    const chart = page.locator('svg.coverage-chart');
    assert.equal(await chart.locator('g.cov-gap > rect').count(), coverage.gaps.length, 'one red bar per gap');
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

  await step('back with Lukas, the baton is marked done and leaves the open list', lukas, async () => {
    const { page } = lukas;
    assert.equal(await lukas.goto(batonPath), 200);
    assert.equal(await lukas.clickThrough(page.getByRole('button', { name: 'Mark done' })), 200);
    await page.getByText('This baton is done.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Hand off' }).count(), 0, 'a done baton is not passed on');
    assert.equal(await lukas.goto('/batons'), 200);
    const done = page.locator('ul.batons.done');
    await done.getByRole('link', { name: 'Release 2.5 around the world' }).waitFor();
  });
});

testPageChecks('relay');
