// The log in a real browser against the real gateway and a real receiver: an event posted
// through the API appears with status and code; Raw shows the bytes of /raw; Download saves
// the API's file name; Replay adds a `replay` row and labels the original `replayed 1×`;
// the status filter, recover and paging. In English (the page's other language).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe} from 'node:test';

import {ADMIN_TOKEN, Gateway, Receiver, SCREENSHOTS, compactJson, launchBrowser, newPage, screenshot, signIn,
	waitForText, waitUntil, stopAll, stepsOn} from './support.mjs';

describe('The log', () => {
	let gateway;
	let receiver;
	let browser;
	let page;
	let problems;
	let endpoint;
	let failing;
	let failed = false;
	let first;        // the delivery of the first event
	let firstType;

	const deliveryRow = (id) => page.locator(`#log-table tr[data-delivery-id="${id}"]`);
	const openLog = async (id) => {
		await page.locator(`li.endpoint[data-endpoint-id="${id}"] [data-action="log"]`).click();
		await page.locator('#log-status').waitFor();
	};
	/** Waits for a row, pressing "Refresh" while waiting (the page also refreshes itself every few seconds). */
	const waitForRow = async (id, predicate = async () => true, what = `row ${id}`) => waitUntil(async () => {
		if ((await deliveryRow(id).count()) && (await predicate(deliveryRow(id)))) return true;
		await page.locator('#log-refresh').click();
		return false;
	}, what, {interval: 300});

	before(async () => {
		receiver = new Receiver((url) => (url.startsWith('/down') ? 503 : 200));
		await receiver.start();
		gateway = new Gateway();
		await gateway.start();
		await gateway.expect(201, 'POST', '/api/v1/accounts', {body: {id: 'acme', name: 'ACME AG', plan: 'professional', webhooksEnabled: true}});
		endpoint = await gateway.expect(201, 'POST', '/api/v1/accounts/acme/endpoints',
			{body: {url: receiver.url('/erp'), eventTypes: ['appointment.*', 'customer.created'], description: 'ERP'}});
		failing = await gateway.expect(201, 'POST', '/api/v1/accounts/acme/endpoints',
			{body: {url: receiver.url('/down'), eventTypes: ['customer.deleted'], description: 'Offline system'}});
		browser = await launchBrowser();
		({page, problems} = await newPage(browser));
	});

	after(() => stopAll({browser, receiver, gateway, failed}));

	const step = stepsOn(() => page, () => { failed = true; });

	step('signs in as the admin with the token alone and picks the account, in English', async () => {
		await page.goto(`${gateway.url}/`);
		await page.locator('#language').selectOption('en');
		await waitForText(page.locator('#signin-submit'), 'Sign in', 'English');
		await signIn(page, gateway, ADMIN_TOKEN);
		await page.locator('#account-picker').waitFor();
		await waitForText(page.locator('#picker-title'), 'Choose an account', 'the admin\'s account picker');
		await page.locator('.account-choice[data-account-id="acme"]').click();
		await page.locator(`li.endpoint[data-endpoint-id="${endpoint.id}"]`).waitFor();
		await waitForText(page.locator('#plan-usage'), '2 of 3 endpoints', 'usage');
		await openLog(endpoint.id);
		await waitForText(page.locator('#log-title'), 'Log: ERP', 'log title');
		await waitForText(page.locator('#log-empty'), 'No entries.', 'empty log');
	});

	step('shows an event posted through the API with its status and HTTP code', async () => {
		firstType = 'appointment.booking.created';
		// Numbers and escapes the page must show exactly as sent.
		const event = `{"type": "${firstType}", "data": {"appointment": {"uuid": "3f1c9a52", "start": "2026-12-03T09:30:00Z",`
			+ ' "price": 12345678901234567890123, "fee": 1e400}, "customer": {"name": "Erika <b>Muster</b> \\"\\u00c4\\"",'
			+ ' "email": "erika@example.com"}, "tags": [], "extras": {}}}';
		const accepted = await gateway.expect(202, 'POST', '/api/v1/accounts/acme/events', {body: event});
		assert.equal(accepted.deliveries.length, 1);
		first = accepted.deliveries[0].id;
		await waitUntil(() => receiver.requests.length >= 1, 'the receiver got the event');
		await waitForRow(first, async (r) => (await r.getAttribute('data-status')) === 'succeeded', 'the row as succeeded');
		await waitForText(deliveryRow(first).locator('.status'), 'Succeeded', 'status text');
		await waitForText(deliveryRow(first).locator('.code'), 'HTTP 200', 'response code');
		await waitForText(deliveryRow(first).locator('.event'), firstType, 'event type');
		await waitForText(deliveryRow(first).locator('time'), /2\d{3}/, 'timestamp');
		const stats = page.locator(`li.endpoint[data-endpoint-id="${endpoint.id}"]`);
		await waitForText(stats.locator('[data-stat="succeeded"] strong'), '1', 'accepted count beside the endpoint');
		await waitForText(stats.locator('[data-stat="successRate"] strong'), '100%', 'success rate');
	});

	step('Raw shows the same JSON as /raw, pretty-printed', async () => {
		await deliveryRow(first).locator('[data-action="raw"]').click();
		const shown = await page.locator('#raw-json').textContent();
		const raw = await gateway.call('GET', `/api/v1/accounts/acme/deliveries/${first}/raw`);
		assert.equal(raw.status, 200);
		assert.equal(compactJson(shown), compactJson(raw.text), 'the same tokens as /raw');
		assert.ok(shown.includes('"price": 12345678901234567890123'), 'a big number is shown as sent');
		assert.ok(shown.includes('"fee": 1e400'), 'a number JavaScript cannot hold is shown as sent');
		assert.ok(shown.includes('\\"\\u00c4\\"'), 'escapes are shown as sent');
		assert.ok(shown.includes('\n  "type": "appointment.booking.created"'), 'pretty-printed');
		assert.ok(shown.includes('"tags": []'), 'empty arrays stay compact');
		assert.equal(await page.locator('#raw-json b').count(), 0, 'the payload is text, not HTML');
		await page.locator('#raw-dialog').getByRole('button', {name: 'Close'}).last().click();
		await page.locator('#raw-dialog').waitFor({state: 'detached'});
	});

	step('Download saves the payload under the file name the API gives', async () => {
		const api = await gateway.call('GET', `/api/v1/accounts/acme/deliveries/${first}/download`);
		const disposition = api.headers.get('content-disposition');
		const expectedName = /filename="([^"]+)"/.exec(disposition)[1];
		assert.equal(expectedName, `${firstType}_${first}.json`);
		const [download] = await Promise.all([
			page.waitForEvent('download'),
			deliveryRow(first).locator('[data-action="download"]').click(),
		]);
		assert.equal(download.suggestedFilename(), expectedName);
		fs.mkdirSync(SCREENSHOTS, {recursive: true});
		const saved = path.join(SCREENSHOTS, expectedName);
		await download.saveAs(saved);
		assert.equal(fs.readFileSync(saved, 'utf8'), api.text, 'the file holds the bytes of /download');
		fs.rmSync(saved);
	});

	let replay;
	step('Replay adds a row labelled "replay" and labels the original "replayed 1×"', async () => {
		await deliveryRow(first).locator('[data-action="replay"]').click();
		await waitForText(page.locator('#notice'), 'Sent again.', 'notice');
		replay = await waitUntil(async () => {
			const items = (await gateway.expect(200, 'GET', `/api/v1/accounts/acme/endpoints/${endpoint.id}/deliveries`)).items;
			return items.find((d) => d.replayOf === first);
		}, 'the replay in the API');
		await waitForRow(replay.id);
		await waitForText(deliveryRow(replay.id).locator('.labels'), 'replay', 'the new row\'s label');
		await waitForText(deliveryRow(first).locator('.labels'), 'replayed 1×', 'the original\'s label');
		// Newest first: the replay above the original.
		const order = await page.locator('#log-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.deliveryId));
		assert.deepEqual(order, [replay.id, first]);
		await waitUntil(() => receiver.requests.filter((r) => r.url === '/erp').length === 2, 'the receiver got the replay');
		await waitForRow(replay.id, async (r) => (await r.getAttribute('data-status')) === 'succeeded', 'the replay succeeded');
		const accepted = page.locator(`li.endpoint[data-endpoint-id="${endpoint.id}"] [data-stat="succeeded"] strong`);
		await waitUntil(async () => {
			if ((await accepted.textContent()) === '2') return true;
			await page.locator('#log-refresh').click();
			return false;
		}, 'the statistics counting the replay', {interval: 300});
		await screenshot(page, 'log');
	});

	step('filters by status and recovers failed deliveries since a time', async () => {
		const since = new Date(Date.now() - 60000);
		const accepted = await gateway.expect(202, 'POST', '/api/v1/accounts/acme/events', {body: {type: 'customer.deleted', data: {id: 7}}});
		const broken = accepted.deliveries[0].id;
		await waitUntil(async () => (await gateway.expect(200, 'GET', `/api/v1/accounts/acme/deliveries/${broken}`)).status === 'failed',
			'the delivery to the offline system failed');
		await openLog(failing.id);
		await waitForText(page.locator('#log-title'), 'Log: Offline system', 'log of the failing endpoint');
		await waitForRow(broken, async (r) => (await r.getAttribute('data-status')) === 'failed', 'the failed row');
		await waitForText(deliveryRow(broken).locator('.code'), 'HTTP 503', 'the 503');
		await waitForText(deliveryRow(broken).locator('.status'), 'Failed', 'failed status');

		await page.locator('#log-status').selectOption('succeeded');
		await waitForText(page.locator('#log-empty'), 'No entries.', 'no succeeded deliveries here');
		await page.locator('#log-status').selectOption('failed');
		await waitForRow(broken);
		assert.equal(await page.locator('#log-table tbody tr').count(), 1);

		// datetime-local takes the browser's local time.
		const local = await page.evaluate((ms) => {
			const d = new Date(ms);
			return new Date(ms - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
		}, since.getTime());
		await page.locator('#recover-since').fill(local);
		await page.locator('#recover-submit').click();
		await waitForText(page.locator('#recover-result'), '1 failed delivery(ies) sent again.', 'recover result');
		await page.locator('#log-status').selectOption('');
		await waitUntil(async () => (await page.locator('#log-table tbody tr').count()) === 2, 'the recovered replay in the log');
		await waitForText(deliveryRow(broken).locator('.labels'), 'replayed 1×', 'the recovered original is labelled');
	});

	step('pages through the log, newest first', async () => {
		await openLog(endpoint.id);
		await waitForRow(first);
		for (let i = 0; i < 9; i += 1) {
			await gateway.expect(202, 'POST', '/api/v1/accounts/acme/events', {body: {type: 'customer.created', data: {n: i}}});
		}
		// 2 + 9 = 11 entries, 10 per page.
		await waitUntil(async () => {
			await page.locator('#log-refresh').click();
			return (await page.locator('#log-table tbody tr').count()) === 10 && !(await page.locator('#log-older').isDisabled());
		}, 'a full first page', {interval: 300});
		assert.equal(await deliveryRow(first).count(), 0, 'the oldest entry is on page 2');
		await page.locator('#log-older').click();
		await waitForText(page.locator('#log-page'), 'Page 2', 'page 2');
		await waitForRow(first);
		assert.equal(await page.locator('#log-table tbody tr').count(), 1);
		assert.equal(await page.locator('#log-older').isDisabled(), true);
		await page.locator('#log-newer').click();
		await waitForText(page.locator('#log-page'), 'Page 1', 'back on page 1');
		await waitUntil(async () => (await page.locator('#log-table tbody tr').count()) === 10, 'page 1 again');
	});

	step('logged no script errors and ran no dialogs', async () => {
		assert.deepEqual(problems.pageErrors, []);
		assert.deepEqual(problems.dialogs, []);
		assert.deepEqual(problems.consoleErrors, []);
	});
});
