// What an attacker would try from a browser: form posts without Baton's CSRF token (from a
// Baton page, from a script, from another site), and HTML or script smuggled into a post or a
// title. Each must be refused or rendered inert, and leave nothing behind.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, Member, api, launchBrowser, shot, startBaton, testPageChecks, visibleText } from '../lib/baton.mjs';

const CSRF_REFUSED = 'did not come from Baton';
// The payload; on one line it is an HTML block, so the Markdown link is repeated in a
// paragraph of its own, where Markdown makes it a real link for the sanitizer to defuse.
const XSS_BODY = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">[link](javascript:alert(1))' +
  '\n\nSee [link](javascript:alert(1)) and <a href="javascript:window.__xss=4">this</a>.';
const XSS_TITLE = '<img src=x onerror="window.__xss=3"> plans';

let baton;
let browser;
let owner;
let rest;

before(async () => {
  baton = await startBaton('security', {
    bootstrap: { workspace: 'Guarded', email: 'olga@guarded.example', name: 'Olga Owner', timezone: 'Europe/Berlin' },
  });
  rest = api(baton.base, baton.owner.token);
  browser = await launchBrowser();
  owner = await Member.open(browser, baton.base, 'owner', 'Europe/Berlin');
  assert.equal(await owner.signIn('olga@guarded.example'), 200);
});

after(async () => {
  await owner?.close();
  await browser?.close();
  await baton?.stop();
});

/** The names of the spaces the owner can see, through the JSON API. */
async function spaceNames() {
  return (await rest.get('/spaces')).spaces.map((s) => s.name);
}

test('a Baton form whose CSRF token was removed is refused with 403 and changes nothing', async () => {
  await shot(owner, 'csrf-form-without-token', async () => {
    const { page } = owner;
    assert.equal(await owner.goto('/spaces'), 200);
    await page.getByLabel('Space name').fill('Forged from a stripped form');
    await page.evaluate(() => document.querySelectorAll('input[name=csrf]').forEach((input) => input.remove()));
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Create space' })), 403);
    assert.match(await visibleText(page.locator('main')), new RegExp(CSRF_REFUSED));
    assert.ok(!(await spaceNames()).includes('Forged from a stripped form'), 'no space was created');
  });
});

test('a scripted post with the session cookie but no token is refused with 403', async () => {
  const response = await owner.page.request.post('/spaces', {
    form: { name: 'Forged by a script', visibility: 'public' },
    maxRedirects: 0,
  });
  assert.equal(response.status(), 403);
  assert.match(await response.text(), new RegExp(CSRF_REFUSED));
  assert.ok(!(await spaceNames()).includes('Forged by a script'), 'no space was created');
});

test('a form on another site posting to Baton is refused with 403', async () => {
  const evil = await owner.context.newPage();
  try {
    // The attacker's page, served by the browser itself: a copy of Baton's form, token and all
    // guessed wrong, posting across sites with the member's cookies (if the browser sends them).
    await evil.route('http://attacker.example/', (route) => route.fulfill({
      contentType: 'text/html',
      body: `<form method="post" action="${baton.base}/spaces"><input name="csrf" value="guess">` +
        '<input name="name" value="Forged from another site"><input name="visibility" value="public">' +
        '<button>Win a prize</button></form>',
    }));
    await evil.goto('http://attacker.example/');
    const [response] = await Promise.all([
      evil.waitForResponse(`${baton.base}/spaces`),
      evil.getByRole('button').click(),
    ]);
    assert.equal(response.status(), 403);
    await evil.screenshot({ path: join(ARTIFACTS, 'csrf-from-another-site.png') });
    assert.ok(!(await spaceNames()).includes('Forged from another site'), 'no space was created');
  } finally {
    await evil.close();
  }
});

test('a sign-in form without its token is refused and signs nobody in', async () => {
  const stranger = await Member.open(browser, baton.base, 'stranger');
  try {
    await shot(stranger, 'csrf-signin-without-token', async () => {
      const { page } = stranger;
      assert.equal(await stranger.goto('/signin'), 200);
      await page.getByLabel('Email').fill('olga@guarded.example');
      await page.getByLabel('Password').fill('correct horse battery staple');
      await page.evaluate(() => document.querySelector('input[name=csrf]').remove());
      assert.equal(await stranger.clickThrough(page.getByRole('button', { name: 'Sign in' })), 403);
      assert.match(await visibleText(page.locator('main')), new RegExp(CSRF_REFUSED));
      await stranger.goto('/inbox');
      assert.equal(new URL(page.url()).pathname, '/signin', 'no session was started');
    });
  } finally {
    await stranger.close();
  }
});

/** Fails unless the post bodies and title on the page carry no live script, handler or link. */
async function assertInert(page, where) {
  // An <img onerror> would fire after the failed load of "x": give it the chance.
  await page.waitForLoadState('networkidle');
  assert.equal(await page.evaluate(() => window.__xss), undefined, `${where}: a script ran`);
  const found = await page.evaluate(() => {
    const bodies = Array.from(document.querySelectorAll('main .body'));
    const all = bodies.flatMap((b) => [b, ...b.querySelectorAll('*')]);
    return {
      bodies: bodies.length,
      scripts: all.filter((e) => e.tagName === 'SCRIPT').length,
      handlers: all.flatMap((e) => e.getAttributeNames().filter((n) => n.startsWith('on'))),
      hrefs: all.filter((e) => e.hasAttribute('href') || e.hasAttribute('src'))
        .map((e) => (e.getAttribute('href') ?? e.getAttribute('src')).trim()),
    };
  });
  assert.ok(found.bodies > 0, `${where}: no post body on the page`);
  assert.equal(found.scripts, 0, `${where}: a <script> survived in a post body`);
  assert.deepEqual(found.handlers, [], `${where}: event handler attributes survived`);
  assert.deepEqual(found.hrefs.filter((h) => /^javascript:/i.test(h)), [], `${where}: a javascript: link survived`);
}

test('script in a title, a post, a reply and a preview renders inert', async () => {
  await shot(owner, 'xss-renders-inert', async () => {
    const { page } = owner;
    const space = await rest.post('/spaces', { name: 'Open floor', visibility: 'public' });

    assert.equal(await owner.goto(`/spaces/${space.id}/threads/new`), 200);
    await page.getByLabel('Title').fill(XSS_TITLE);
    await page.getByLabel('Message').fill(XSS_BODY);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('region', { name: 'Preview' }).waitFor();
    await assertInert(page, 'the preview of a new thread');

    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Start thread' })), 200);
    assert.equal(await visibleText(page.getByRole('heading', { level: 1 })), XSS_TITLE, 'the title is shown as text');
    await assertInert(page, 'the thread page');
    const link = page.locator('main .body a', { hasText: /^link$/ });
    assert.equal(await link.count(), 1, 'the Markdown link is kept as text');
    assert.equal(await link.getAttribute('href'), null, 'the javascript: link lost its href');

    await page.getByLabel('Reply', { exact: true }).fill(XSS_BODY);
    assert.equal(await owner.clickThrough(page.getByRole('button', { name: 'Send' })), 200);
    assert.equal(await page.locator('main article.post').count(), 2, 'the reply was posted');
    await assertInert(page, 'the thread page with the reply');

    assert.equal(await owner.goto(`/spaces/${space.id}`), 200);
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'the space page ran a script');
    await page.locator('ul.threads').getByText(XSS_TITLE).waitFor();
  });
});

testPageChecks('security');
