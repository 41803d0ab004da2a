// The gateway's HTTP API (docs/api.md), called with the token the user signed in with.
// The token lives in sessionStorage only (gone when the tab closes) and travels in the
// Authorization header, never in a URL.

const TOKEN_KEY = 'hookgate.token';

export class ApiError extends Error {
	constructor(status, code, message) {
		super(message || code || `HTTP ${status}`);
		this.status = status;
		this.code = code || (status === 0 ? 'network' : 'http_error');
		this.apiMessage = message || '';
	}
}

export function token() {
	return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
	if (value) sessionStorage.setItem(TOKEN_KEY, value);
	else sessionStorage.removeItem(TOKEN_KEY);
}

/** The path of an account's resource: accountPath('acme', 'endpoints', id) -> /api/v1/accounts/acme/endpoints/<id>. */
export function accountPath(accountId, ...parts) {
	return ['/api/v1/accounts', accountId, ...parts].map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join('/');
}

async function send(method, path, {body, query, tokenOverride} = {}) {
	let url = path;
	if (query) {
		const params = new URLSearchParams();
		for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, v);
		const q = params.toString();
		if (q) url += '?' + q;
	}
	const headers = {Authorization: `Bearer ${tokenOverride ?? token()}`};
	const init = {method, headers, cache: 'no-store', credentials: 'omit', redirect: 'error'};
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	let response;
	try {
		response = await fetch(url, init);
	} catch (e) {
		throw new ApiError(0, 'network', String(e && e.message ? e.message : e));
	}
	if (!response.ok) {
		let code = '';
		let message = '';
		try {
			const error = (await response.json()).error || {};
			code = error.code || '';
			message = error.message || '';
		} catch (e) {
			message = `HTTP ${response.status}`;
		}
		throw new ApiError(response.status, code, message);
	}
	return response;
}

export async function json(method, path, options) {
	const response = await send(method, path, options);
	if (response.status === 204) return null;
	return response.json();
}

export const get = (path, options) => json('GET', path, options);
export const post = (path, body, options) => json('POST', path, {...options, body});
export const patch = (path, body, options) => json('PATCH', path, {...options, body});
export const del = (path, options) => json('DELETE', path, options);

/** The bytes of a response as text (raw payloads: exactly what was sent). */
export async function text(path) {
	const response = await send('GET', path);
	return response.text();
}

/** The file name of a Content-Disposition header (`attachment; filename="x.json"`). */
export function fileNameOf(disposition, fallback) {
	const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || '');
	if (!match) return fallback;
	try {
		return decodeURIComponent(match[1]);
	} catch (e) {
		return match[1];
	}
}

/** Downloads a response as a file with the name the API gives it. */
export async function download(path, fallbackName) {
	const response = await send('GET', path);
	const name = fileNameOf(response.headers.get('Content-Disposition'), fallbackName);
	const blob = await response.blob();
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = name;
	link.hidden = true;
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
	return name;
}
