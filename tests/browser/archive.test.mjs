// An archived entry (retention period of seconds, as in tests/e2e/RetentionTest.cpp) is
// greyed out in the log with the note "Archiviert" and Raw / Download / Replay disabled.
import assert from 'node:assert/strict';
import {after, before, describe, it} from 'node:test';

import {Gateway, Receiver, launchBrowser, newPage, screenshot, signIn, waitForText, waitUntil, stopAll} from './support.mjs';

describe('An archived log entry', () => {
	let gateway;
	let receiver;
	let browser;
	let failed = false;

	before(async () => {
		receiver = new Receiver();
		await receiver.start();
		gateway = new Gateway({'hookgate.retention.period': '2s', 'hookgate.retention.sweepInterval': '1s'});
		await gateway.start();
		browser = await launchBrowser();
	});

	after(() => stopAll({browser, receiver, gateway, failed}));

	it('is greyed out with the note "Archiviert" and its actions disabled', async () => {
		try {
			await gateway.expect(201, 'POST', '/api/v1/accounts', {body: {id: 'acme', name: 'ACME AG', plan: 'basic', webhooksEnabled: true}});
			const token = (await gateway.expect(201, 'POST', '/api/v1/accounts/acme/tokens')).token;
			const endpoint = await gateway.expect(201, 'POST', '/api/v1/accounts/acme/endpoints',
				{body: {url: receiver.url('/hook'), eventTypes: ['*']}});
			const accepted = await gateway.expect(202, 'POST', '/api/v1/accounts/acme/events',
				{body: {type: 'customer.created', data: {name: 'Erika'}}});
			const id = accepted.deliveries[0].id;
			await waitUntil(async () => (await gateway.expect(200, 'GET', `/api/v1/accounts/acme/deliveries/${id}`)).archived === true,
				'the delivery archived by the API');
			assert.equal((await gateway.call('GET', `/api/v1/accounts/acme/deliveries/${id}/raw`)).status, 410);

			const {page, problems} = await newPage(browser);
			await signIn(page, gateway, token);
			await page.locator(`li.endpoint[data-endpoint-id="${endpoint.id}"] [data-action="log"]`).click();
			const row = page.locator(`#log-table tr[data-delivery-id="${id}"]`);
			await row.waitFor();
			assert.match(await row.getAttribute('class'), /\barchived\b/);
			await waitForText(row.locator('.archived-note'), 'Archiviert', 'the note under the date');
			// The note sits in the timestamp cell, below the date.
			assert.equal(await row.locator('td.time .archived-note').count(), 1);
			for (const action of ['raw', 'download', 'replay']) {
				assert.equal(await row.locator(`[data-action="${action}"]`).isDisabled(), true, `${action} disabled`);
			}
			// Greyed: the archived row's text is lighter than a normal row's (#9aa3b2 vs the page's text colour).
			const color = await row.locator('td.event').evaluate((td) => getComputedStyle(td).color);
			assert.equal(color, 'rgb(154, 163, 178)');
			await waitForText(row.locator('.status'), 'Erfolgreich', 'the log line stays');
			await screenshot(page, 'log-archived');
			assert.deepEqual(problems.pageErrors, []);
			assert.deepEqual(problems.consoleErrors, []);
		} catch (error) {
			failed = true;
			throw error;
		}
	});
});
