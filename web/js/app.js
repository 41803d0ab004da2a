// The dashboard: sign-in, account choice (admin), then the settings page with the log of the
// chosen endpoint. Built on the HTTP API only (API.md); no framework, no build step.
import * as api from './api.js';
import {h, replace} from './dom.js';
import {t, language, setLanguage, LANGUAGES, errorText} from './i18n.js';
import {errorSlot, showError} from './ui.js';
import {renderSettings} from './settings.js';
import {mountLog, refreshLog} from './log.js';

const ACCOUNT_KEY = 'hookgate.account';
const ADMIN_KEY = 'hookgate.admin';
const LAST_ACCOUNT_KEY = 'hookgate.lastAccount';  // not secret: prefills the sign-in form
const REFRESH_MS = 4000;
const ACCOUNT_TOKEN = /^hgk_[A-Za-z0-9]{20,}$/;

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
	const accountError = errorSlot('signin-account-error');
	const token = h('input', {type: 'password', id: 'signin-token', name: 'token', autocomplete: 'off', required: true,
		'aria-describedby': 'signin-token-error'});
	const account = h('input', {type: 'text', id: 'signin-account', name: 'account', autocomplete: 'off', spellcheck: 'false',
		value: localStorage.getItem(LAST_ACCOUNT_KEY) || '', 'aria-describedby': 'signin-account-hint signin-account-error'});
	const submit = h('button', {type: 'submit', id: 'signin-submit', class: 'button primary'}, t('signin.submit'));
	const form = h('form', {id: 'signin-form', class: 'form', novalidate: true},
		h('div', {class: 'field'}, h('label', {for: 'signin-token', text: t('signin.token')}), token, tokenError),
		h('div', {class: 'field'}, h('label', {for: 'signin-account', text: t('signin.account')}), account,
			h('p', {class: 'hint', id: 'signin-account-hint', text: t('signin.accountHint')}), accountError),
		submit);
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		showError(tokenError, '');
		showError(accountError, '');
		const value = token.value.trim();
		const accountId = account.value.trim();
		if (!value) return showError(tokenError, t('signin.required'));
		submit.disabled = true;
		try {
			await signIn(value, accountId, tokenError, accountError);
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

async function signIn(token, accountId, tokenError, accountError) {
	// The admin token may list the accounts; an account token is refused there (403). Account
	// tokens look like hgk_<20+ letters and digits> (API.md), so those skip the question.
	let accounts = null;
	if (!ACCOUNT_TOKEN.test(token)) {
		try {
			accounts = (await api.get('/api/v1/accounts', {tokenOverride: token})).items;
		} catch (error) {
			if (error.code !== 'forbidden') return showError(tokenError, errorText(error));
		}
	}
	if (accounts) {
		api.setToken(token);
		sessionStorage.setItem(ADMIN_KEY, '1');
		state.admin = true;
		state.accounts = accounts;
		if (accountId && accounts.some((a) => a.id === accountId)) return openAccount(accountId);
		if (accountId) {
			state.loadError = `${t('error.not_found')} ${accountId}`;
		}
		return render();
	}
	if (!accountId) return showError(accountError, t('signin.needAccount'));
	try {
		await api.get(api.accountPath(accountId), {tokenOverride: token});
	} catch (error) {
		return showError(error.code === 'unauthorized' ? tokenError : accountError, errorText(error));
	}
	api.setToken(token);
	sessionStorage.removeItem(ADMIN_KEY);
	state.admin = false;
	return openAccount(accountId);
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
	localStorage.setItem(LAST_ACCOUNT_KEY, accountId);
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
if (api.token() && state.accountId) reload();
else if (api.token() && state.admin) {
	api.get('/api/v1/accounts').then((r) => { state.accounts = r.items; render(); }).catch(() => signOut());
} else {
	render();
}
