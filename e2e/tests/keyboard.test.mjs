// Everything reachable by keyboard: the skip link, j/k through a space's threads, Enter to open
// one, c to start a thread from a space or to write a reply in a thread.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Member, api, launchBrowser, shot, startBaton, testPageChecks } from '../lib/baton.mjs';

let baton;
let browser;
let owner;
let space;
let threads;

before(async () => {
  baton = await startBaton('keyboard', {
    bootstrap: { workspace: 'Keys', email: 'kim@keys.example', name: 'Kim Keys', timezone: 'UTC' },
  });
  const rest = api(baton.base, baton.owner.token);
  space = await rest.post('/spaces', { name: 'Typing', visibility: 'public' });
  threads = [];
  for (const title of ['First thread', 'Second thread']) {
    threads.push(await rest.post('/threads', { space_id: space.id, title, body: `About the ${title.toLowerCase()}.` }));
  }
  browser = await launchBrowser();
  owner = await Member.open(browser, baton.base, 'owner');
  assert.equal(await owner.signIn('kim@keys.example'), 200);
});

after(async () => {
  await owner?.close();
  await browser?.close();
  await baton?.stop();
});

/** The text and href of the focused element. */
function focused(page) {
  return page.evaluate(() => ({
    text: document.activeElement?.textContent.trim(),
    href: document.activeElement?.getAttribute('href'),
    tag: document.activeElement?.tagName,
  }));
}

test('the first Tab reaches the skip link, which moves focus to the content', async () => {
  await shot(owner, 'keyboard-skip-link', async () => {
    const { page } = owner;
    assert.equal(await owner.goto('/inbox'), 200);
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).text, 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).tag, 'MAIN');
  });
});

test('on a space page j and k move between threads and Enter opens one', async () => {
  await shot(owner, 'keyboard-j-k-enter', async () => {
    const { page } = owner;
    assert.equal(await owner.goto(`/spaces/${space.id}`), 200);
    const links = await page.locator('ul.threads a[data-nav-item]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(links.length, 2);
    await page.keyboard.press('j');
    assert.equal((await focused(page)).href, links[0], 'j focuses the first thread');
    await page.keyboard.press('j');
    assert.equal((await focused(page)).href, links[1], 'j again focuses the next');
    await page.keyboard.press('k');
    assert.equal((await focused(page)).href, links[0], 'k goes back');
    assert.equal(await owner.follow(() => page.keyboard.press('Enter')), 200);
    assert.equal(new URL(page.url()).pathname, links[0]);
  });
});

test('on a space page c opens the new-thread form', async () => {
  await shot(owner, 'keyboard-c-new-thread', async () => {
    const { page } = owner;
    assert.equal(await owner.goto(`/spaces/${space.id}`), 200);
    assert.equal(await owner.follow(() => page.keyboard.press('c')), 200);
    assert.equal(new URL(page.url()).pathname, `/spaces/${space.id}/threads/new`);
    await page.getByRole('heading', { name: 'New thread' }).waitFor();
  });
});

test('on a thread page c focuses the reply box, and typing there is not a shortcut', async () => {
  await shot(owner, 'keyboard-c-composer', async () => {
    const { page } = owner;
    assert.equal(await owner.goto(`/threads/${threads[0].id}`), 200);
    await page.keyboard.press('c');
    const reply = page.getByLabel('Reply', { exact: true });
    assert.ok(await reply.evaluate((box) => box === document.activeElement), 'the reply box has focus');
    await page.keyboard.type('just checking');
    assert.equal(await reply.inputValue(), 'just checking', 'j, c and k typed in the box stay text');
  });
});

testPageChecks('keyboard');
