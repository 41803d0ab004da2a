// The settings page in a real browser against the real gateway: sign-in, the webhooks switch,
// adding an HTTP and an email endpoint through the form, the plan limit, text rendering of
// user input, edit / disable / secret / delete, the delivery limits, the admin's account choice, the languages.
import assert from 'node:assert/strict';
import {after, before, describe} from 'node:test';

import {ADMIN_TOKEN, Gateway, Receiver, launchBrowser, newPage, screenshot, signIn, waitForText, waitUntil, stopAll,
	stepsOn} from './support.mjs';

const XSS = '<img src=x onerror=alert(1)>';

describe('The settings page', () => {
	let gateway;
	let receiver;
	let browser;
	let page;
	let problems;
	let accountToken;
	let failed = false;

	const endpoints = async () => (await gateway.expect(200, 'GET', '/api/v1/accounts/acme/endpoints')).items;
	const account = () => gateway.expect(200, 'GET', '/api/v1/accounts/acme');
	const row = (id) => page.locator(`li.endpoint[data-endpoint-id="${id}"]`);

	before(async () => {
		receiver = new Receiver();
		await receiver.start();
		// A default in flight other than 8, which the form must show as its placeholder.
		gateway = new Gateway({'hookgate.delivery.maxInFlight': '6'});
		await gateway.start();
		await gateway.expect(201, 'POST', '/api/v1/accounts', {body: {id: 'acme', name: 'ACME AG', plan: 'professional'}});
		// A second account, which acme's token must not see.
		await gateway.expect(201, 'POST', '/api/v1/accounts', {body: {id: 'globex', name: 'Globex', plan: 'basic'}});
		accountToken = (await gateway.expect(201, 'POST', '/api/v1/accounts/acme/tokens')).token;
		browser = await launchBrowser();
		({page, problems} = await newPage(browser));
	});

	after(() => stopAll({browser, receiver, gateway, failed}));

	const step = stepsOn(() => page, () => { failed = true; });

	step('serves the page at / with a Content-Security-Policy that forbids inline script', async () => {
		const response = await fetch(`${gateway.url}/`);
		assert.equal(response.status, 200);
		assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
		const csp = response.headers.get('content-security-policy');
		assert.match(csp, /script-src 'self'/);
		assert.doesNotMatch(csp, /unsafe-inline/);
		const script = await fetch(`${gateway.url}/js/app.js`);
		assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
		const again = await fetch(`${gateway.url}/js/app.js`, {headers: {'If-None-Match': script.headers.get('etag')}});
		assert.equal(again.status, 304);
		const missing = await fetch(`${gateway.url}/nothing-here.js`);
		assert.equal(missing.status, 404);
		assert.equal((await missing.json()).error.code, 'not_found');
	});

	step('shows the sign-in in German by default and switches to English and back', async () => {
		await page.goto(`${gateway.url}/`);
		await waitForText(page.locator('#signin-title'), 'Anmelden', 'sign-in title');
		assert.equal(await page.locator('html').getAttribute('lang'), 'de');
		await page.locator('#language').selectOption('en');
		await waitForText(page.locator('#signin-title'), 'Sign in', 'sign-in title in English');
		await page.reload();
		await waitForText(page.locator('#signin-title'), 'Sign in', 'English kept after a reload');
		await page.locator('#language').selectOption('de');
		await waitForText(page.locator('#signin-submit'), 'Anmelden', 'German again');
	});

	step('asks for the token alone and refuses a wrong one with a message next to the token field', async () => {
		await page.goto(`${gateway.url}/`);
		await page.locator('#signin-form').waitFor();
		assert.equal(await page.locator('#signin-form input').count(), 1, 'the form has the token field only');
		assert.equal(await page.locator('#signin-account').count(), 0, 'no account id field');
		await page.locator('#signin-submit').click();
		await waitForText(page.locator('#signin-token-error'), 'Bitte ein Token eingeben.', 'the empty token refused');
		await signIn(page, gateway, 'hgk_wrongwrongwrongwrongwrong');
		const error = page.locator('#signin-token-error');
		await error.waitFor({state: 'visible'});
		assert.match(await error.textContent(), /Das Token ist ungültig\. invalid bearer token/);
		assert.equal(await page.evaluate(() => sessionStorage.getItem('hookgate.token')), null, 'a wrong token is not kept');
	});

	step('signs in with the account token alone, straight into its own account, kept in sessionStorage and never in a URL', async () => {
		await signIn(page, gateway, accountToken);
		await page.locator('#webhooks-settings').waitFor();
		assert.ok(problems.requests.some((url) => url.endsWith('/api/v1/token')), 'the page asked GET /api/v1/token');
		assert.equal(await page.evaluate(() => sessionStorage.getItem('hookgate.token')), accountToken);
		const local = await page.evaluate(() => JSON.stringify(Object.entries(localStorage)));
		assert.ok(!local.includes(accountToken), 'the token is not in localStorage');
		assert.ok(!page.url().includes(accountToken));
		assert.ok(problems.requests.every((url) => !url.includes(accountToken)), 'no request URL carries the token');
		await waitForText(page.locator('#plan-name'), 'Professional', 'plan');
		await waitForText(page.locator('#plan-usage'), '0 von 3 Endpunkten', 'usage');
		await waitForText(page.locator('#account-name'), 'ACME AG (acme)', 'account name');
		// Only its own account: no picker, no account switch, nothing of globex on the page.
		assert.equal(await page.locator('#account-picker').count(), 0, 'no account picker');
		assert.equal(await page.locator('#account-switch').count(), 0, 'no account switch');
		assert.equal(await page.evaluate(() => sessionStorage.getItem('hookgate.admin')), null, 'not signed in as the admin');
		assert.ok(!(await page.locator('body').textContent()).includes('globex'), 'the other account is not shown');
		assert.ok(problems.requests.every((url) => !url.includes('/api/v1/accounts/globex') && !url.endsWith('/api/v1/accounts')),
			'the page asked for no other account and for no account list');
		// A reload of the tab keeps the sign-in and the account.
		await page.reload();
		await waitForText(page.locator('#account-name'), 'ACME AG (acme)', 'account name after a reload');
	});

	step('switches webhooks on', async () => {
		const toggle = page.locator('#webhooks-enabled');
		assert.equal(await toggle.isChecked(), false);
		await page.locator('#webhooks-off-hint').waitFor();
		await page.locator('label[for="webhooks-enabled"]').click();
		await waitUntil(async () => (await account()).webhooksEnabled === true, 'webhooksEnabled true in the API');
		await page.locator('#webhooks-off-hint').waitFor({state: 'detached'});
		assert.equal(await toggle.isChecked(), true);
	});

	let httpEndpoint;
	step('adds an HTTP endpoint through the form, showing the API error next to the field first', async () => {
		await page.locator('#add-endpoint').click();
		const dialog = page.locator('#endpoint-dialog');
		await dialog.waitFor();
		await page.getByLabel('URL des Webhook-Endpunktes').fill(receiver.url('/erp'));
		await page.getByLabel('Authorization Header Key').fill('Bad Key');
		await page.getByLabel('Authorization Header Value').fill('s3cr3t');
		await page.locator('input[data-type="appointment.booking.created"]').check();
		await page.locator('input[data-type="appointment.booking.cancelled"]').check();
		await page.locator('input[data-type="customer.created"]').check();
		assert.equal(await page.locator('input[data-type="lead.created"]').isDisabled(), true, 'lead.created needs enterprise');
		// The groups of the article: appointment / event / customer / lead / payment.
		const groups = await page.locator('#ep-events fieldset.event-group').evaluateAll((nodes) => nodes.map((n) => n.dataset.group));
		assert.deepEqual(groups, ['appointment', 'event', 'customer', 'lead', 'payment']);
		assert.ok(await page.locator('fieldset[data-group="payment"] input[data-type="event.booking.payment_failed"]').count());
		await page.locator('#ep-hierarchy-flat').check();
		await page.getByLabel('Beschreibung').fill('ERP');
		// The delivery limits: empty by default, their placeholders say what empty means.
		const inFlight = page.getByLabel('Max. parallele Zustellungen');
		const rate = page.getByLabel('Ratenlimit (pro Sekunde)');
		assert.equal(await inFlight.inputValue(), '');
		assert.equal(await inFlight.getAttribute('placeholder'), '6', "the gateway's hookgate.delivery.maxInFlight");
		assert.equal(await rate.inputValue(), '');
		assert.equal(await rate.getAttribute('placeholder'), 'kein Limit');
		await inFlight.fill('4');
		await screenshot(page, 'endpoint-form');
		await page.locator('#ep-save').click();
		const keyError = page.locator('#ep-authKey-error');
		await keyError.waitFor({state: 'visible'});
		assert.match(await keyError.textContent(), /authHeader\.key: 'Bad Key' is not a valid HTTP header name/);
		assert.equal((await endpoints()).length, 0, 'nothing was created');

		await page.getByLabel('Authorization Header Key').fill('Ocp-Apim-Subscription-Key');
		await page.locator('#ep-save').click();
		await dialog.waitFor({state: 'detached'});
		const items = await endpoints();
		assert.equal(items.length, 1);
		httpEndpoint = items[0];
		assert.equal(httpEndpoint.url, receiver.url('/erp'));
		assert.equal(httpEndpoint.email, null);
		assert.deepEqual(httpEndpoint.authHeader, {key: 'Ocp-Apim-Subscription-Key', value: '****cr3t'});
		assert.deepEqual([...httpEndpoint.eventTypes].sort(),
			['appointment.booking.cancelled', 'appointment.booking.created', 'customer.created']);
		assert.equal(httpEndpoint.hierarchy, 'flat');
		assert.equal(httpEndpoint.description, 'ERP');
		assert.equal(httpEndpoint.maxInFlight, 4);
		assert.equal(httpEndpoint.rateLimit, null);
		await row(httpEndpoint.id).waitFor();
		await waitForText(row(httpEndpoint.id).locator('.endpoint-meta'), /Max\. parallele Zustellungen\s*4/, 'the limit in the row');
		await waitForText(page.locator('#plan-usage'), '1 von 3 Endpunkten', 'usage after one');
		await waitForText(row(httpEndpoint.id).locator('[data-stat="succeeded"] strong'), '0', 'stats beside the endpoint');
	});

	let emailEndpoint;
	step('adds an email endpoint through the form', async () => {
		await page.locator('#add-endpoint').click();
		await page.locator('#endpoint-dialog').waitFor();
		await page.getByLabel('E-Mail-Adresse statt Request').fill('bookings@acme.example');
		await page.locator('#ep-events-all').check();
		assert.equal(await page.locator('input[data-type="customer.created"]').isDisabled(), true, '"all" covers every type');
		await page.locator('#ep-save').click();
		await page.locator('#endpoint-dialog').waitFor({state: 'detached'});
		const items = await endpoints();
		assert.equal(items.length, 2);
		emailEndpoint = items.find((e) => e.id !== httpEndpoint.id);
		assert.equal(emailEndpoint.email, 'bookings@acme.example');
		assert.equal(emailEndpoint.url, null);
		assert.deepEqual(emailEndpoint.eventTypes, ['*']);
		assert.equal(emailEndpoint.hierarchy, 'nested');
		assert.equal(emailEndpoint.maxInFlight, null, 'left empty: the default');
		assert.equal(emailEndpoint.rateLimit, null, 'left empty: no limit');
		assert.doesNotMatch(await row(emailEndpoint.id).locator('.endpoint-meta').textContent(), /Max\.|Ratenlimit/);
		await waitForText(row(emailEndpoint.id).locator('.target'), 'E-Mail an bookings@acme.example', 'email row');
		await waitForText(page.locator('#plan-usage'), '2 von 3 Endpunkten', 'usage "2 of 3"');
		assert.equal(await page.locator('#add-endpoint').isDisabled(), false);
	});

	let xssEndpoint;
	step('renders a description with HTML as text, and the plan limit disables "+" with the reason', async () => {
		await page.locator('#add-endpoint').click();
		await page.locator('#endpoint-dialog').waitFor();
		await page.getByLabel('URL des Webhook-Endpunktes').fill(receiver.url('/third'));
		await page.locator('input[data-type="customer.updated"]').check();
		await page.getByLabel('Beschreibung').fill(XSS);
		await page.locator('#ep-save').click();
		await page.locator('#endpoint-dialog').waitFor({state: 'detached'});
		xssEndpoint = (await endpoints()).find((e) => e.description === XSS);
		assert.ok(xssEndpoint, 'the description was stored as typed');
		await waitForText(row(xssEndpoint.id).locator('.endpoint-description'), XSS, 'the description as text');
		assert.equal(await page.locator('#endpoint-list img').count(), 0, 'no <img> was created');
		assert.deepEqual(problems.dialogs, [], 'no alert ran');

		await waitForText(page.locator('#plan-usage'), '3 von 3 Endpunkten', 'usage at the limit');
		const add = page.locator('#add-endpoint');
		await waitUntil(() => add.isDisabled(), '"+" disabled at the plan limit');
		await waitForText(page.locator('#add-endpoint-reason'), /Der Tarif Professional erlaubt 3 Endpunkt/, 'the reason beside "+"');
		assert.equal(await add.getAttribute('aria-describedby'), 'add-endpoint-reason');
		await screenshot(page, 'settings');
	});

	step('edits and disables an endpoint', async () => {
		await row(httpEndpoint.id).locator('[data-action="edit"]').click();
		await page.locator('#endpoint-dialog').waitFor();
		assert.equal(await page.getByLabel('URL des Webhook-Endpunktes').inputValue(), receiver.url('/erp'));
		assert.equal(await page.locator('input[data-type="customer.created"]').isChecked(), true);
		assert.equal(await page.locator('#ep-hierarchy-flat').isChecked(), true);
		await page.getByLabel('Beschreibung').fill('ERP (Produktion)');
		await page.locator('#ep-save').click();
		await page.locator('#endpoint-dialog').waitFor({state: 'detached'});
		await waitForText(row(httpEndpoint.id).locator('.endpoint-description'), 'ERP (Produktion)', 'new description');
		const edited = await gateway.expect(200, 'GET', `/api/v1/accounts/acme/endpoints/${httpEndpoint.id}`);
		assert.equal(edited.description, 'ERP (Produktion)');
		assert.deepEqual(edited.authHeader, {key: 'Ocp-Apim-Subscription-Key', value: '****cr3t'}, 'the header value was kept');
		assert.deepEqual([...edited.eventTypes].sort(), ['appointment.booking.cancelled', 'appointment.booking.created', 'customer.created']);

		await row(httpEndpoint.id).locator('[data-action="toggle"]').click();
		await waitUntil(async () => (await gateway.expect(200, 'GET', `/api/v1/accounts/acme/endpoints/${httpEndpoint.id}`)).enabled === false,
			'endpoint disabled in the API');
		await waitForText(row(httpEndpoint.id).locator('.badge-off'), 'Deaktiviert', 'disabled badge');
		await row(httpEndpoint.id).locator('[data-action="toggle"]').click();
		await row(httpEndpoint.id).locator('.badge-off').waitFor({state: 'detached'});
	});

	step("sets, shows and clears the delivery limits, with the API's refusal next to the field", async () => {
		const get = () => gateway.expect(200, 'GET', `/api/v1/accounts/acme/endpoints/${httpEndpoint.id}`);
		const inFlight = page.getByLabel('Max. parallele Zustellungen');
		const rate = page.getByLabel('Ratenlimit (pro Sekunde)');
		await row(httpEndpoint.id).locator('[data-action="edit"]').click();
		await page.locator('#endpoint-dialog').waitFor();
		assert.equal(await inFlight.inputValue(), '4', 'the stored limit is shown');
		assert.equal(await rate.inputValue(), '');

		// 0 goes to the API, whose refusal stands next to the field; nothing is saved.
		await rate.fill('0');
		await page.locator('#ep-save').click();
		const rateError = page.locator('#ep-rateLimit-error');
		await rateError.waitFor({state: 'visible'});
		assert.match(await rateError.textContent(), /Ungültige Eingabe\. rateLimit: expected an integer from 1 to 10000, or null for no limit; got 0/);
		assert.equal(await page.locator('#ep-maxInFlight-error').isVisible(), false);
		assert.equal((await get()).rateLimit, null, 'nothing saved');

		await rate.fill('10');
		await page.locator('#ep-save').click();
		await page.locator('#endpoint-dialog').waitFor({state: 'detached'});
		let stored = await get();
		assert.equal(stored.maxInFlight, 4);
		assert.equal(stored.rateLimit, 10);
		await waitForText(row(httpEndpoint.id).locator('.endpoint-meta'), /Ratenlimit\s*10 pro Sekunde/, 'the rate limit in the row');

		// Emptied: the default again; the rate limit stays.
		await row(httpEndpoint.id).locator('[data-action="edit"]').click();
		await page.locator('#endpoint-dialog').waitFor();
		assert.equal(await inFlight.inputValue(), '4');
		assert.equal(await rate.inputValue(), '10');
		await inFlight.fill('');
		await page.locator('#ep-save').click();
		await page.locator('#endpoint-dialog').waitFor({state: 'detached'});
		stored = await get();
		assert.equal(stored.maxInFlight, null);
		assert.equal(stored.rateLimit, 10);
		await waitUntil(async () => !/Max\./.test(await row(httpEndpoint.id).locator('.endpoint-meta').textContent()),
			'the default in flight is not listed');
		assert.deepEqual(stored.authHeader, {key: 'Ocp-Apim-Subscription-Key', value: '****cr3t'}, 'the header value was kept');
	});

	step('shows and rotates the signing secret', async () => {
		await row(httpEndpoint.id).locator('[data-action="secret"]').click();
		const value = page.locator('#secret-value');
		const stored = (await gateway.expect(200, 'GET', `/api/v1/accounts/acme/endpoints/${httpEndpoint.id}/secret`)).secret;
		await waitForText(value, stored, 'the secret');
		await page.locator('#secret-rotate').click();
		await page.locator('#confirm-ok').click();
		const rotated = await waitForText(value, /^whsec_/, 'a secret after rotating').then(async () =>
			waitUntil(async () => {
				const shown = (await value.textContent()).trim();
				return shown !== stored ? shown : false;
			}, 'a new secret'));
		assert.equal(rotated, (await gateway.expect(200, 'GET', `/api/v1/accounts/acme/endpoints/${httpEndpoint.id}/secret`)).secret);
		await page.locator('#secret-dialog').getByRole('button', {name: 'Schließen'}).last().click();
		await page.locator('#secret-dialog').waitFor({state: 'detached'});
	});

	step('deletes an endpoint only after confirmation, which enables "+" again', async () => {
		await row(xssEndpoint.id).locator('[data-action="delete"]').click();
		const confirm = page.locator('#confirm-dialog');
		await confirm.waitFor();
		assert.match(await confirm.textContent(), /<img src=x onerror=alert\(1\)>/);
		await confirm.getByRole('button', {name: 'Abbrechen'}).click();
		await confirm.waitFor({state: 'detached'});
		assert.equal((await endpoints()).length, 3, 'cancel deletes nothing');

		await row(xssEndpoint.id).locator('[data-action="delete"]').click();
		await page.locator('#confirm-ok').click();
		await row(xssEndpoint.id).waitFor({state: 'detached'});
		assert.equal((await endpoints()).length, 2);
		await waitUntil(async () => !(await page.locator('#add-endpoint').isDisabled()), '"+" enabled again');
		await page.locator('#add-endpoint-reason').waitFor({state: 'detached'});
	});

	step('signs in as the admin with the token alone and lets the admin pick the account', async () => {
		await page.locator('#sign-out').click();
		await page.locator('#signin-form').waitFor();
		assert.equal(await page.evaluate(() => sessionStorage.getItem('hookgate.token')), null, 'signing out forgets the token');
		await signIn(page, gateway, ADMIN_TOKEN);
		await page.locator('#account-picker').waitFor();
		assert.equal(await page.evaluate(() => sessionStorage.getItem('hookgate.admin')), '1', 'signed in as the admin');
		assert.equal(await page.locator('.account-choice').count(), 2);
		await page.locator('.account-choice[data-account-id="globex"]').click();
		await waitForText(page.locator('#plan-usage'), '0 von 1 Endpunkt', 'globex usage');
		await page.locator('#account-switch').selectOption('acme');
		await waitForText(page.locator('#plan-usage'), '2 von 3 Endpunkten', 'acme usage after switching');
		await row(httpEndpoint.id).waitFor();
	});

	step('logged no script errors and ran no dialogs', async () => {
		assert.deepEqual(problems.pageErrors, []);
		assert.deepEqual(problems.dialogs, []);
		// Chromium logs every 4xx answer as a failed resource: those provoked above (the wrong
		// token's 401, the bad header key's 422) are expected; nothing else may be logged.
		const unexpected = problems.consoleErrors.filter((m) => !/^Failed to load resource: the server responded with a status of 4(01|22) /.test(m));
		assert.deepEqual(unexpected, []);
	});
});
