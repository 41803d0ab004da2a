// Shared by the dashboard's browser tests: the real hookgate binary with its own properties
// file, a real HTTP receiver, Debian's Chromium driven by playwright-core, and waiting on
// conditions with deadlines (never fixed sleeps).
//
// Environment (set by ctest, see tests/CMakeLists.txt):
//   HOOKGATE_BINARY       the hookgate executable (required)
//   HOOKGATE_SOURCE_DIR   the repository (for templates/ and web/); default: two folders up
//   HOOKGATE_SCREENSHOTS  where screenshots are written (default: <tmp>/hookgate-browser-screenshots)
//   HOOKGATE_CHROMIUM     the browser (default /usr/bin/chromium)
//   HOOKGATE_BROWSER_KEEP keep the gateway's temporary folder

import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {it} from 'node:test';
import {fileURLToPath} from 'node:url';

export const ADMIN_TOKEN = 'browser-admin-token';
export const SOURCE_DIR = process.env.HOOKGATE_SOURCE_DIR || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = process.env.HOOKGATE_SCREENSHOTS || path.join(os.tmpdir(), 'hookgate-browser-screenshots');
const CHROMIUM = process.env.HOOKGATE_CHROMIUM || '/usr/bin/chromium';
// Generous: the gateway may be an ASan build and share 2 cores with other tests.
export const DEADLINE_MS = 30000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` (sync or async) until it returns a truthy value; fails after `timeout` naming `what`. */
export async function waitUntil(check, what, {timeout = DEADLINE_MS, interval = 100} = {}) {
	const deadline = Date.now() + timeout;
	let last;
	for (;;) {
		try {
			const value = await check();
			if (value) return value;
			last = value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
		}
		await sleep(interval);
	}
}

/** The text of a locator once it equals `expected` (or matches it, for a RegExp). */
export async function waitForText(locator, expected, what) {
	return waitUntil(async () => {
		if ((await locator.count()) === 0) return false;
		const text = ((await locator.first().textContent()) || '').trim();
		return (expected instanceof RegExp ? expected.test(text) : text === expected) ? text : false;
	}, `${what}: text ${expected}`);
}

// --- the gateway --------------------------------------------------------------------------

export class Gateway {
	constructor(overrides = {}) {
		const binary = process.env.HOOKGATE_BINARY;
		if (!binary) throw new Error('HOOKGATE_BINARY is not set (the path of the hookgate executable)');
		this.binary = binary;
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookgate-browser-'));
		this.properties = {
			'hookgate.http.address': '127.0.0.1',
			'hookgate.http.port': '0',
			'hookgate.http.portFile': path.join(this.dir, 'port'),
			'hookgate.api.adminToken': ADMIN_TOKEN,
			'hookgate.store.sqlite.path': path.join(this.dir, 'hookgate.db'),
			'hookgate.templates.dir': path.join(SOURCE_DIR, 'templates'),
			'hookgate.web.root': path.join(SOURCE_DIR, 'web'),
			'hookgate.smtp.mode': 'pickup',
			'hookgate.smtp.pickupDir': path.join(this.dir, 'outbox'),
			'hookgate.delivery.retrySchedule': '100ms',
			'hookgate.delivery.jitter': '0',
			'hookgate.delivery.pollInterval': '100ms',
			'hookgate.delivery.timeout': '5s',
			'hookgate.security.allowPrivateDestinations': 'true',
			...overrides,
		};
		this.logPath = path.join(this.dir, 'hookgate.log');
		this.process = null;
		this.exited = null;
		this.port = 0;
	}

	get url() {
		return `http://127.0.0.1:${this.port}`;
	}

	/** What the gateway wrote to stdout and stderr (after stop(): kept in memory, the folder is gone). */
	log() {
		if (this.finalLog !== undefined) return this.finalLog;
		try {
			return fs.readFileSync(this.logPath, 'utf8');
		} catch (e) {
			return '';
		}
	}

	async start() {
		const config = path.join(this.dir, 'hookgate.properties');
		fs.writeFileSync(config, '# written by the browser tests\n'
			+ Object.entries(this.properties).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
		const out = fs.openSync(this.logPath, 'a');
		this.process = spawn(this.binary, [`--config=${config}`], {cwd: this.dir, stdio: ['ignore', out, out]});
		fs.closeSync(out);
		this.exited = new Promise((resolve) => this.process.on('exit', (code, signal) => resolve({code, signal})));
		let exitedEarly = false;
		this.exited.then(() => { exitedEarly = true; });
		await waitUntil(async () => {
			if (exitedEarly) throw new Error(`hookgate exited during start-up; log:\n${this.log()}`);
			if (!this.port) {
				const text = fs.existsSync(this.properties['hookgate.http.portFile']) ? fs.readFileSync(this.properties['hookgate.http.portFile'], 'utf8') : '';
				if (!text.endsWith('\n')) return false;
				this.port = Number(text.trim());
			}
			const response = await fetch(`${this.url}/health`);
			return response.status === 200;
		}, 'GET /health 200', {timeout: 60000}).catch((error) => {
			if (exitedEarly) throw new Error(`hookgate exited during start-up; log:\n${this.log()}`);
			throw new Error(`${error.message}; log:\n${this.log()}`);
		});
	}

	/** SIGTERM, then waits for the exit (SIGKILL after 30 s); returns {code, signal}. */
	async stop({keep = false} = {}) {
		let exit = null;
		if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
			this.process.kill('SIGTERM');
			let timer;
			const result = await Promise.race([this.exited, new Promise((resolve) => { timer = setTimeout(() => resolve(null), 30000); })]);
			clearTimeout(timer);  // else it keeps the test process alive
			exit = result;
			if (!result) {
				this.process.kill('SIGKILL');
				await this.exited;
			}
		}
		this.finalLog = this.log();
		if (!keep && !process.env.HOOKGATE_BROWSER_KEEP) fs.rmSync(this.dir, {recursive: true, force: true});
		return exit || {code: null, signal: 'SIGKILL'};
	}

	/** One API call with a token; returns {status, headers, body (parsed JSON or text)}. */
	async call(method, apiPath, {body, token = ADMIN_TOKEN} = {}) {
		const headers = {Authorization: `Bearer ${token}`};
		if (body !== undefined) headers['Content-Type'] = 'application/json';
		// A string body is sent as it is (JSON that JavaScript numbers could not hold exactly).
		const text = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
		const response = await fetch(this.url + apiPath, {method, headers, body: text});
		const answer = await response.text();
		let parsed = answer;
		if ((response.headers.get('content-type') || '').startsWith('application/json') && answer) {
			try {
				parsed = JSON.parse(answer);
			} catch (e) {
				parsed = answer;
			}
		}
		return {status: response.status, headers: response.headers, body: parsed, text: answer};
	}

	/** Like call(), but fails unless the status is `expected`. */
	async expect(expected, method, apiPath, options) {
		const result = await this.call(method, apiPath, options);
		if (result.status !== expected) {
			throw new Error(`${method} ${apiPath}: expected ${expected}, got ${result.status}: ${result.text}`);
		}
		return result.body;
	}
}

// --- a webhook receiver -------------------------------------------------------------------

/** A real HTTP server on 127.0.0.1 (free port): records every request, answers 200 (or `statusFor(path)`). */
export class Receiver {
	constructor(statusFor = () => 200) {
		this.requests = [];
		this.statusFor = statusFor;
		this.server = http.createServer((request, response) => {
			const chunks = [];
			request.on('data', (c) => chunks.push(c));
			request.on('end', () => {
				const status = this.statusFor(request.url);
				this.requests.push({method: request.method, url: request.url, headers: request.headers,
					body: Buffer.concat(chunks).toString('utf8'), status});
				response.writeHead(status, {'Content-Type': 'text/plain'});
				response.end(status < 300 ? 'thanks' : 'not now');
			});
		});
	}

	async start() {
		await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.port = this.server.address().port;
	}

	url(p = '/') {
		return `http://127.0.0.1:${this.port}${p}`;
	}

	async stop() {
		this.server.closeAllConnections?.();
		await new Promise((resolve) => this.server.close(resolve));
	}
}

// --- the browser --------------------------------------------------------------------------

export async function launchBrowser() {
	let chromium;
	try {
		({chromium} = await import('playwright-core'));
	} catch (error) {
		throw new Error(`playwright-core is not installed: run 'npm ci --prefix tests/browser' (${error.message})`);
	}
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} does not exist: install Debian's chromium package`);
	// chromium.launch starts the browser with a fresh temporary profile (user data dir).
	return chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
		timeout: 60000,
	});
}

/**
 * A new page that records what would show a broken page: console errors, page errors
 * (uncaught exceptions, CSP violations are console errors), JavaScript dialogs (alert).
 */
export async function newPage(browser) {
	const context = await browser.newContext({viewport: {width: 1280, height: 900}, acceptDownloads: true, locale: 'de-DE',
		timezoneId: 'Europe/Zurich'});
	const page = await context.newPage();
	page.setDefaultTimeout(DEADLINE_MS);
	const problems = {consoleErrors: [], pageErrors: [], dialogs: [], requests: []};
	page.on('console', (message) => {
		if (message.type() === 'error') problems.consoleErrors.push(message.text());
	});
	page.on('pageerror', (error) => problems.pageErrors.push(String(error)));
	page.on('dialog', async (dialog) => {
		problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
		await dialog.dismiss();
	});
	page.on('request', (request) => problems.requests.push(request.url()));
	return {context, page, problems};
}

export async function screenshot(page, name) {
	fs.mkdirSync(SCREENSHOTS, {recursive: true});
	const file = path.join(SCREENSHOTS, `${name}.png`);
	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({path: file, fullPage: true, animations: 'disabled'});
	return file;
}

/**
 * Signs in through the form, with the token alone (the page asks GET /api/v1/token whose it is):
 * the admin then sees the account picker, an account token its own account.
 */
export async function signIn(page, gateway, token) {
	await page.goto(`${gateway.url}/`);
	await page.locator('#signin-token').fill(token);
	await page.locator('#signin-submit').click();
}

/** JSON text without the whitespace outside strings (to compare two spellings of the same bytes). */
export function compactJson(text) {
	let out = '';
	let inString = false;
	let escaped = false;
	for (const c of text) {
		if (inString) {
			out += c;
			if (escaped) escaped = false;
			else if (c === '\\') escaped = true;
			else if (c === '"') inString = false;
		} else if (c === '"') {
			inString = true;
			out += c;
		} else if (!/\s/.test(c)) {
			out += c;
		}
	}
	return out;
}

// Stops what a scenario started (each may be missing if its start failed): the browser, the
// receiver, and the gateway, which must exit cleanly after SIGTERM. Its log is printed, and its
// folder kept, when a step failed.
export async function stopAll({browser, receiver, gateway, failed}) {
	if (browser) await browser.close();
	if (receiver) await receiver.stop();
	if (gateway) {
		const exit = await gateway.stop({keep: failed});
		if (failed || exit.code !== 0) console.log(`hookgate log:\n${gateway.log()}`);
		assert.deepEqual(exit, {code: 0, signal: null}, 'hookgate stops cleanly after SIGTERM');
	}
}

// `it` for the steps of one scenario that share a page: a failing step calls onFailure() and
// closes a dialog left open, which would block the next steps, so that they report their own result.
export function stepsOn(page, onFailure) {
	return (name, body) => it(name, async () => {
		try {
			await body();
		} catch (error) {
			onFailure();
			await page().evaluate(() => document.querySelectorAll('dialog[open]').forEach((d) => d.close())).catch(() => {});
			throw error;
		}
	});
}
