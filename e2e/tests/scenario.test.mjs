// The first hour of a new team, as its people would click through it: first-run setup, sign
// out and in, members, a private space, a thread that the invited member finds unread and
// answers, and a third member who cannot reach any of it by URL.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Member, PASSWORD, launchBrowser, startBaton, story, testPageChecks, visibleText } from '../lib/baton.mjs';

const NOT_FOUND = 'There is nothing here, or it is not shared with you.';

let baton;
let browser;
const members = [];

before(async () => {
  baton = await startBaton('scenario');
  browser = await launchBrowser();
});

after(async () => {
  for (const m of members) await m.close();
  await browser?.close();
  await baton?.stop();
});

/** A member's browser, closed with the suite. */
async function open(who, timezone) {
  const member = await Member.open(browser, baton.base, who, timezone);
  members.push(member);
  return member;
}

test('a new team sets up Baton and shares a private thread', async (t) => {
  const step = story(t, 'scenario');
  const owner = await open('owner', 'Europe/Berlin');
  const { page } = owner;

  await step('first run asks for the workspace and its owner', owner, async () => {
    assert.equal(await owner.goto('/'), 200);
    assert.equal(new URL(page.url()).pathname, '/setup');
    await page.getByRole('heading', { name: 'Create your workspace' }).waitFor();
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/Berlin',
      'the browser time zone is pre-selected');
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) {
      assert.ok(await page.getByLabel(day, { exact: true }).isChecked(), `${day} is a working day by default`);
    }
    for (const day of ['Sat', 'Sun']) {
      assert.ok(!(await page.getByLabel(day, { exact: true }).isChecked()), `${day} is not a working day by default`);
    }
    assert.equal(await page.getByLabel('Start').inputValue(), '09:00');
    assert.equal(await page.getByLabel('End').inputValue(), '17:00');
  });

  await step('a too-short password is explained next to its field, the rest is kept', owner, async () => {
    await page.getByLabel('Workspace name').fill('Relay Labs');
    await page.getByLabel('Your name').fill('Maya Owner');
    await page.getByLabel('Email').fill('maya@relay.example');
    await page.getByLabel('Password').fill('short');
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Create workspace' })), 422);
    const password = page.getByLabel('Password');
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    const explained = page.locator(`#${await password.getAttribute('aria-describedby')}`);
    assert.match(await explained.innerText(), /8 characters/, 'the reason is next to the field');
    assert.equal(await page.getByLabel('Workspace name').inputValue(), 'Relay Labs');
  });

  await step('creating the workspace signs the owner in', owner, async () => {
    await page.getByLabel('Password').fill(PASSWORD);
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Create workspace' })), 200);
    assert.equal(new URL(page.url()).pathname, '/inbox');
    await page.getByRole('navigation', { name: 'Main' }).getByText('Maya Owner').waitFor();
  });

  await step('signing out ends the session', owner, async () => {
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Sign out' })), 200);
    assert.equal(new URL(page.url()).pathname, '/signin');
    await owner.goto('/inbox');
    const url = new URL(page.url());
    assert.equal(url.pathname, '/signin', 'a signed-out visit to /inbox goes to sign-in');
    assert.equal(url.searchParams.get('next'), '/inbox');
  });

  await step('a wrong password is refused, the right one signs in', owner, async () => {
    await page.getByLabel('Email').fill('maya@relay.example');
    await page.getByLabel('Password').fill('not the password');
    assert.notEqual(await owner.clickThrough(page.getByRole('button', { name: 'Sign in' })), 200);
    assert.equal(new URL(page.url()).pathname, '/signin');
    await page.getByLabel('Password').fill(PASSWORD);
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Sign in' })), 200);
    assert.equal(new URL(page.url()).pathname, '/inbox', 'sign-in returns to the page asked for');
  });

  let spaceUrl;
  let threadUrl;

  await step('the owner adds two people to the workspace', owner, async () => {
    assert.equal(await owner.goto('/admin/members'), 200);
    for (const [name, email, zone] of [['Ada Lovelace', 'ada@relay.example', 'America/Sao_Paulo'],
      ['Bo Outsider', 'bo@relay.example', 'Asia/Tokyo']]) {
      const form = page.getByRole('region', { name: 'Add a member' });
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByLabel('Email').fill(email);
      await form.getByLabel('Time zone').selectOption(zone);
      await form.getByLabel('Password').fill(PASSWORD);
      await form.getByLabel('Role').selectOption('member');
      assert.equal(await owner.clickThrough(form.getByRole('button', { name: 'Create member' })), 200);
      await page.getByText('Member added.').waitFor();
      await page.getByRole('table').getByRole('link', { name }).waitFor();
    }
  });

  await step('the owner creates a private space', owner, async () => {
    assert.equal(await owner.goto('/spaces'), 200);
    await page.getByLabel('Space name').fill('Launch plans');
    await page.getByLabel('Visibility').selectOption('private');
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Create space' })), 200);
    assert.match(new URL(page.url()).pathname, /^\/spaces\/[^/]+$/);
    spaceUrl = new URL(page.url()).pathname;
    await page.getByRole('heading', { name: 'Launch plans' }).waitFor();
    assert.match(await visibleText(page.locator('main')), /private space/);
    await page.getByText('Start a thread: a clear title and what you need by when saves a meeting.').waitFor();
  });

  await step('the owner adds Ada to the space', owner, async () => {
    assert.equal(await owner.goto(`${spaceUrl}/members`), 200);
    await page.getByLabel('Add member').selectOption({ label: 'Ada Lovelace' });
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Add to space' })), 200);
    const list = page.locator('ul.members');
    await list.getByText('Ada Lovelace').waitFor();
    assert.equal(await list.getByText('Bo Outsider').count(), 0, 'only the person added is in the space');
  });

  await step('the owner starts a thread and asks Ada for a reply', owner, async () => {
    assert.equal(await owner.goto(spaceUrl), 200);
    assert.equal(await owner.clickThrough(page.getByRole('link', { name: 'New thread' })), 200);
    assert.equal(new URL(page.url()).pathname, `${spaceUrl}/threads/new`);
    await page.getByLabel('Title').fill('Launch date');
    await page.getByLabel('Message').fill('Can we ship on **Tuesday**?');
    await page.getByLabel('Reply within').check();
    await page.getByLabel('Working hours').fill('4');
    await page.getByLabel('Ada Lovelace').check();
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Start thread' })), 200);
    assert.match(new URL(page.url()).pathname, /^\/threads\/[^/]+$/);
    threadUrl = new URL(page.url()).pathname;
    await page.getByRole('heading', { name: 'Launch date' }).waitFor();
    const brief = page.getByRole('region', { name: 'The brief' });
    assert.equal(await brief.locator('.body strong').innerText(), 'Tuesday', 'Markdown is rendered');
  });

  const ada = await open('ada', 'America/Sao_Paulo');

  await step('Ada signs in and finds the thread unread, and the ask in her inbox', ada, async () => {
    assert.equal(await ada.signIn('ada@relay.example'), 200);
    assert.equal(new URL(ada.page.url()).pathname, '/inbox');
    await ada.page.locator('main').getByRole('link', { name: 'Launch date' }).waitFor();
    assert.equal(await ada.goto('/spaces'), 200);
    assert.equal(await ada.clickThrough(ada.page.getByRole('link', { name: 'Launch plans' })), 200);
    assert.equal(new URL(ada.page.url()).pathname, spaceUrl);
    const row = ada.page.locator('ul.threads li', { hasText: 'Launch date' });
    assert.equal(await row.getAttribute('class'), 'unread');
    assert.match(await visibleText(row), /1 unread/);
  });

  await step('Ada previews and sends her reply', ada, async () => {
    assert.equal(await ada.clickThrough(ada.page.getByRole('link', { name: 'Launch date' })), 200);
    assert.equal(new URL(ada.page.url()).pathname, threadUrl);
    await ada.page.getByLabel('Reply', { exact: true }).fill('Tuesday works. **Shipping** it then.');
    await ada.page.getByRole('button', { name: 'Preview' }).click();
    const preview = ada.page.getByRole('region', { name: 'Preview' });
    assert.equal(await preview.locator('strong').innerText(), 'Shipping', 'the preview renders Markdown');
    assert.equal(await ada.clickThrough(ada.page.getByRole('button', { name: 'Send' })), 200);
    const replies = ada.page.getByRole('region', { name: 'Replies' });
    await replies.getByText('Tuesday works.').waitFor();
    assert.match(await visibleText(replies), /Ada Lovelace/);
  });

  await step('once read, the thread is no longer unread for Ada', ada, async () => {
    assert.equal(await ada.goto(spaceUrl), 200);
    const row = ada.page.locator('ul.threads li', { hasText: 'Launch date' });
    await row.waitFor();
    assert.notEqual(await row.getAttribute('class'), 'unread');
  });

  await step('the owner sees the reply of Ada', owner, async () => {
    assert.equal(await owner.goto(threadUrl), 200);
    const replies = page.getByRole('region', { name: 'Replies' });
    await replies.getByText('Tuesday works. Shipping it then.').waitFor();
    assert.match(await visibleText(replies), /Ada Lovelace/);
  });

  const bo = await open('bo', 'Asia/Tokyo');

  await step('Bo, outside the space, cannot reach it by URL', bo, async () => {
    assert.equal(await bo.signIn('bo@relay.example'), 200);
    assert.equal(await bo.goto('/spaces'), 200);
    assert.equal(await bo.page.getByText('Launch plans').count(), 0, 'the private space is not listed');
    for (const path of [threadUrl, spaceUrl, `${spaceUrl}/members`, `${spaceUrl}/threads/new`]) {
      assert.equal(await bo.goto(path), 404, `${path} answers 404`);
      await bo.page.getByText(NOT_FOUND).waitFor();
      assert.equal(await bo.page.getByText('Launch date').count(), 0, `${path} shows nothing of the thread`);
    }
  });
});


testPageChecks('scenario');
