// The dashboard: sign-in, account choice (admin), then the settings page with the log of the
// chosen endpoint. Built on the HTTP API only (docs/api.md); no framework, no build step.
import * as api from './api.js';
import {h, replace} from './dom.js';
import {t, language, setLanguage, LANGUAGES, errorText} from './i18n.js';
import {errorSlot, showError} from './ui.js';
import {renderSettings} from './settings.js';
import {mountLog, refreshLog} from './log.js';

const ACCOUNT_KEY = 'hookgate.account';
const ADMIN_KEY = 'hookgate.admin';
const REFRESH_MS = 4000;

const state = {
	admin: sessionStorage.getItem(ADMIN_KEY) === '1',
	accountId: sessionStorage.getItem(ACCOUNT_KEY) || '',
	accounts: null,
	account: null,
	options: null,
	endpoints: [],
	selected: null,
	notice: '',
	loadError: '',
};

const root = document.getElementById('app');

const app = {
	state,
	render,
	reload,
	notify(text) {
		state.notice = text;
		const slot = document.getElementById('notice');
		if (slot) {
			slot.textContent = text;
			slot.hidden = !text;
		}
	},
	select(endpointId) {
		state.selected = endpointId;
		render();
		const log = document.getElementById('log');
		if (log && state.selected) log.scrollIntoView({block: 'start', behavior: 'smooth'});
	},
};

// --- header -------------------------------------------------------------------------------

function header() {
	const lang = h('select', {id: 'language', class: 'compact'},
		LANGUAGES.map(([code, name]) => h('option', {value: code, text: name, selected: code === language()})));
	lang.addEventListener('change', () => {
		setLanguage(lang.value);
		render();
	});
	const right = [h('label', {for: 'language', class: 'visually-hidden', text: t('lang.label')}), lang];
	if (api.token()) {
		if (state.admin && state.accounts && state.accountId) {
			const pick = h('select', {id: 'account-switch', class: 'compact'},
				state.accounts.map((a) => h('option', {value: a.id, text: `${a.name} (${a.id})`, selected: a.id === state.accountId})));
			pick.addEventListener('change', () => openAccount(pick.value));
			right.unshift(h('label', {for: 'account-switch', class: 'visually-hidden', text: t('account.switch')}), pick);
		} else if (state.account) {
			right.unshift(h('span', {class: 'account-name', id: 'account-name', text: `${state.account.name} (${state.account.id})`}));
		}
		right.push(h('button', {type: 'button', id: 'sign-out', class: 'button small', on: {click: signOut}}, t('signout')));
	}
	return h('header', {class: 'topbar'},
		h('div', {class: 'brand'},
			h('span', {class: 'logo', 'aria-hidden': 'true', text: 'H'}),
			h('span', {class: 'brand-name', text: 'Hookgate'}),
			h('nav', {class: 'crumbs', 'aria-label': t('nav.settings')},
				h('span', {text: t('nav.settings')}), h('span', {'aria-hidden': 'true', text: '›'}), h('strong', {text: t('nav.webhooks')}))),
		h('div', {class: 'topbar-right'}, right));
}

// --- sign-in ------------------------------------------------------------------------------

function signInView() {
	const tokenError = errorSlot('signin-token-error');
	const token = h('input', {type: 'password', id: 'signin-token', name: 'token', autocomplete: 'off', required: true,
		'aria-describedby': 'signin-token-error'});
	const submit = h('button', {type: 'submit', id: 'signin-submit', class: 'button primary'}, t('signin.submit'));
	const form = h('form', {id: 'signin-form', class: 'form', novalidate: true},
		h('div', {class: 'field'}, h('label', {for: 'signin-token', text: t('signin.token')}), token, tokenError),
		submit);
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		showError(tokenError, '');
		const value = token.value.trim();
		if (!value) return showError(tokenError, t('signin.required'));
		submit.disabled = true;
		try {
			await signIn(value, tokenError);
		} finally {
			submit.disabled = false;
		}
		return undefined;
	});
	queueMicrotask(() => token.focus());
	return h('section', {class: 'card narrow', id: 'signin', 'aria-labelledby': 'signin-title'},
		h('h1', {id: 'signin-title', text: t('signin.title')}),
		h('p', {class: 'muted', text: t('signin.intro')}),
		form);
}

/**
 * Asks the gateway whose token this is (GET /api/v1/token, an addition to docs/api.md): the admin's,
 * or which account's. The token's shape decides nothing (an admin token may look like hgk_…).
 * Resolves to {admin, accountId, accounts} (accounts: the admin's list); throws the ApiError.
 */
async function identify(token) {
	const who = await api.get('/api/v1/token', {tokenOverride: token});
	if (who && who.admin === true) {
		const accounts = (await api.get('/api/v1/accounts', {tokenOverride: token})).items;
		return {admin: true, accountId: '', accounts};
	}
	if (!who || who.admin !== false || typeof who.accountId !== 'string' || !who.accountId) {
		throw new api.ApiError(200, 'http_error', 'GET /api/v1/token: unexpected answer');
	}
	return {admin: false, accountId: who.accountId, accounts: null};
}

/** Keeps the token (sessionStorage) and opens the account picker (admin) or the token's own account. */
function enter(token, who) {
	api.setToken(token);
	state.admin = who.admin;
	state.accounts = who.accounts;
	state.loadError = '';
	if (who.admin) {
		sessionStorage.setItem(ADMIN_KEY, '1');
		state.accountId = '';
		state.account = null;
		sessionStorage.removeItem(ACCOUNT_KEY);
		return render();
	}
	sessionStorage.removeItem(ADMIN_KEY);
	return openAccount(who.accountId);
}

async function signIn(token, tokenError) {
	let who;
	try {
		who = await identify(token);
	} catch (error) {
		return showError(tokenError, errorText(error));
	}
	return enter(token, who);
}

function signOut() {
	api.setToken('');
	sessionStorage.removeItem(ACCOUNT_KEY);
	sessionStorage.removeItem(ADMIN_KEY);
	Object.assign(state, {admin: false, accountId: '', accounts: null, account: null, options: null, endpoints: [], selected: null, notice: '', loadError: ''});
	render();
}

// --- account picker (admin) ----------------------------------------------------------------

function pickerView() {
	const accounts = state.accounts || [];
	return h('section', {class: 'card narrow', id: 'account-picker', 'aria-labelledby': 'picker-title'},
		h('h1', {id: 'picker-title', text: t('picker.title')}),
		h('p', {class: 'muted', text: t('picker.intro')}),
		state.loadError ? h('p', {class: 'error', role: 'alert', text: state.loadError}) : null,
		accounts.length
			? h('ul', {class: 'account-list'}, accounts.map((a) => h('li', {},
				h('button', {type: 'button', class: 'account-choice', dataset: {accountId: a.id}, on: {click: () => openAccount(a.id)}},
					h('strong', {text: a.name}), h('span', {class: 'muted', text: ` ${a.id} · ${a.plan} · ${a.endpointCount}/${a.endpointLimit}`})))))
			: h('p', {text: t('picker.none')}));
}

async function openAccount(accountId) {
	state.accountId = accountId;
	state.selected = null;
	state.account = null;
	state.loadError = '';
	sessionStorage.setItem(ACCOUNT_KEY, accountId);
	await reload();
}

// --- loading ------------------------------------------------------------------------------

/** Loads the account, its endpoints (with stats) and the endpoint options; re-renders. */
async function reload({quiet = false} = {}) {
	if (!api.token() || !state.accountId) return render();
	try {
		const path = api.accountPath(state.accountId);
		const [account, endpoints, options] = await Promise.all([
			api.get(path),
			api.get(`${path}/endpoints`),
			state.options && state.options.accountId === state.accountId && state.options.plan === state.account?.plan
				? Promise.resolve(state.options) : api.get(`${path}/endpoint-options`),
		]);
		const before = JSON.stringify([state.account, state.endpoints]);
		state.account = account;
		state.endpoints = endpoints.items;
		state.options = {...options, accountId: state.accountId, plan: account.plan};
		if (state.selected && !state.endpoints.some((e) => e.id === state.selected)) state.selected = null;
		if (state.admin && !state.accounts) state.accounts = (await api.get('/api/v1/accounts')).items;
		state.loadError = '';
		if (quiet && before === JSON.stringify([state.account, state.endpoints])) return undefined;
	} catch (error) {
		if (error.code === 'unauthorized') return signOut();
		if (quiet) return undefined;
		state.loadError = errorText(error);
		if (error.code === 'not_found' || error.code === 'forbidden') {
			state.account = null;
			sessionStorage.removeItem(ACCOUNT_KEY);
			state.accountId = '';
		}
	}
	return render();
}

// --- rendering ----------------------------------------------------------------------------

function render() {
	document.title = t('app.title');
	document.documentElement.lang = language();
	const main = h('main', {id: 'main'});
	const notice = h('p', {id: 'notice', class: 'notice', role: 'status', hidden: !state.notice, text: state.notice});
	if (!api.token()) {
		main.append(signInView());
	} else if (!state.accountId || (!state.account && state.admin)) {
		if (state.admin && state.accounts) main.append(pickerView());
		else if (state.loadError) main.append(h('p', {class: 'error', role: 'alert', text: state.loadError}));
		else main.append(h('p', {class: 'muted', text: '…'}));
	} else if (!state.account) {
		main.append(state.loadError ? h('p', {class: 'error', role: 'alert', id: 'load-error', text: state.loadError}) : h('p', {class: 'muted', text: '…'}));
	} else {
		main.append(notice, ...renderSettings(app), mountLog(app));
	}
	replace(root, header(), main);
}

// The log and the statistics refresh themselves while the page is visible and no dialog is open.
setInterval(() => {
	if (document.visibilityState !== 'visible' || document.querySelector('dialog[open]')) return;
	if (!api.token() || !state.account) return;
	const active = document.activeElement;
	if (active && (active.tagName === 'INPUT' || active.tagName === 'SELECT')) return;
	refreshLog(app, {quiet: true});
	reload({quiet: true});
}, REFRESH_MS);

setLanguage(language());
if (api.token() && state.accountId) {
	reload();
} else if (api.token()) {
	// A reload of the tab before an account was chosen (or after it was lost): ask again whose token it is.
	// Only a refused token signs out; the gateway being unavailable for a moment does not.
	render();
	identify(api.token()).then((who) => enter(api.token(), who)).catch((error) => {
		if (error.status === 401 || error.status === 403) return signOut();
		state.loadError = errorText(error);
		return render();
	});
} else {
	render();
}
