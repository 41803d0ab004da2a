// A signed-in tab that is reloaded asks the gateway again whose token it is. Only a refused
// token signs it out: an answer of 503 (the store unavailable for a moment) keeps the sign-in
// and shows the error; the next reload goes on where it was. The 503 and the 401 are the
// gateway's answers replayed by the browser's request routing (a scripted failure path).
import assert from 'node:assert/strict';
import {after, before, describe} from 'node:test';

import {ADMIN_TOKEN, Gateway, launchBrowser, newPage, screenshot, signIn, stepsOn, stopAll, waitForText} from './support.mjs';

describe('A reloaded dashboard tab', () => {
	let gateway;
	let browser;
	let page;
	let failed = false;
	const step = stepsOn(() => page, () => { failed = true; });

	before(async () => {
		gateway = new Gateway();
		await gateway.start();
		await gateway.expect(201, 'POST', '/api/v1/accounts', {body: {id: 'acme', name: 'ACME AG', plan: 'basic', webhooksEnabled: true}});
		browser = await launchBrowser();
		({page} = await newPage(browser));
		await page.addInitScript(() => localStorage.setItem('hookgate.language', 'en'));
	});

	after(() => stopAll({browser, gateway, failed}));

	const answer = (status, code, message) => (route) => route.fulfill({status, contentType: 'application/json',
		body: JSON.stringify({error: {code, message}})});
	const storedToken = () => page.evaluate(() => sessionStorage.getItem('hookgate.token'));

	step('signed in as the admin, it shows the account picker', async () => {
		await signIn(page, gateway, ADMIN_TOKEN);
		await waitForText(page.locator('#picker-title'), 'Choose an account', 'the account picker');
	});

	step('reloaded while the gateway answers 503, it stays signed in and says why it cannot go on', async () => {
		await page.route('**/api/v1/token', answer(503, 'unavailable', 'the store is unavailable: database is locked'));
		await page.reload();
		await waitForText(page.locator('main [role="alert"]'),
			'The gateway is not available right now; please try again. the store is unavailable: database is locked', 'the error');
		assert.equal(await storedToken(), ADMIN_TOKEN, 'the token is kept');
		assert.equal(await page.locator('#sign-out').count(), 1, 'still signed in');
		assert.equal(await page.locator('#signin-token').count(), 0, 'no sign-in form');
		await screenshot(page, 'session-503');
	});

	step('reloaded once the gateway answers again, it shows the account picker', async () => {
		await page.unroute('**/api/v1/token');
		await page.reload();
		await waitForText(page.locator('#picker-title'), 'Choose an account', 'the account picker again');
		assert.equal(await page.locator('.account-choice[data-account-id="acme"]').count(), 1, 'the account to pick');
	});

	step('reloaded when its token is refused (401), it signs out and forgets the token', async () => {
		await page.route('**/api/v1/token', answer(401, 'unauthorized', 'missing or invalid bearer token'));
		await page.reload();
		await waitForText(page.locator('#signin-title'), 'Sign in', 'the sign-in form');
		assert.equal(await storedToken(), null, 'the token is forgotten');
		await page.unroute('**/api/v1/token');
	});
});
