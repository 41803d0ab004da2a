// The log of one endpoint: timestamp, status, response code (HTTP or SMTP), labels, paging,
// a status filter; Raw / Download / Replay per entry (disabled once archived); recover.
import * as api from './api.js';
import {h, replace, prettyJson} from './dom.js';
import {t, errorText, formatTime} from './i18n.js';
import {openDialog, errorSlot, showError, busy} from './ui.js';

export const PAGE_SIZE = 10;

const state = {
	endpointId: null,
	status: '',
	cursors: [null],   // the `before` of each page seen so far; page n uses cursors[n]
	page: 0,
	data: null,        // {items, next}
	signature: '',     // of the last data drawn, to redraw only on change
	error: '',
	section: null,
	recoverSince: '',
	recoverResult: '',  // kept across redraws (the log reloads after a recover)
};

function reset(endpointId) {
	Object.assign(state, {endpointId, status: '', cursors: [null], page: 0, data: null, signature: '', error: '', recoverResult: ''});
}

/** The log section for the selected endpoint (or a hint to choose one). */
export function mountLog(app) {
	const section = h('section', {class: 'card', id: 'log', 'aria-labelledby': 'log-title'});
	state.section = section;
	if (app.state.selected !== state.endpointId) {
		reset(app.state.selected);
		if (state.endpointId) load(app);
	}
	draw(app);
	return section;
}

/** Loads the current page again; redraws only when something changed (used by the periodic refresh). */
export async function refreshLog(app, {quiet = false} = {}) {
	if (!state.endpointId || !state.section || !state.section.isConnected) return;
	await load(app, {quiet});
}

async function load(app, {quiet = false} = {}) {
	const endpointId = state.endpointId;
	try {
		const data = await api.get(api.accountPath(app.state.accountId, 'endpoints', endpointId, 'deliveries'), {
			query: {status: state.status, limit: PAGE_SIZE, before: state.cursors[state.page]},
		});
		if (endpointId !== state.endpointId) return;
		const signature = JSON.stringify(data);
		state.error = '';
		if (quiet && signature === state.signature) return;
		state.data = data;
		state.signature = signature;
	} catch (error) {
		if (endpointId !== state.endpointId) return;
		if (quiet) return;
		state.error = errorText(error);
	}
	draw(app);
}

function codeText(delivery) {
	if (delivery.responseCode === null || delivery.responseCode === undefined) return '–';
	return `${delivery.transport === 'email' ? 'SMTP' : 'HTTP'} ${delivery.responseCode}`;
}

function row(app, delivery) {
	const archived = Boolean(delivery.archived);
	const error = errorSlot(`delivery-error-${delivery.id}`);
	const base = api.accountPath(app.state.accountId, 'deliveries', delivery.id);
	const action = (name, label, handler) => {
		const button = h('button', {type: 'button', class: 'button small', dataset: {action: name}, disabled: archived,
			title: archived ? t('log.archived') : false});
		button.textContent = label;
		button.addEventListener('click', () => busy(button, error, () => handler(button), errorText));
		return button;
	};
	return h('tr', {class: ['delivery', archived && 'archived'], dataset: {deliveryId: delivery.id, status: delivery.status},
		'aria-disabled': archived ? 'true' : false},
		h('td', {class: 'time'},
			h('time', {datetime: delivery.createdAt, title: delivery.createdAt, text: formatTime(delivery.createdAt)}),
			archived ? h('div', {class: 'archived-note', text: t('log.archived')}) : null),
		h('td', {class: 'event'}, h('code', {text: delivery.eventType})),
		h('td', {class: 'status-cell'},
			h('span', {class: ['status', `status-${delivery.status}`], text: t(`status.${delivery.status}`)}),
			delivery.error ? h('div', {class: 'delivery-error hint', text: delivery.error}) : null),
		h('td', {class: 'code', text: codeText(delivery)}),
		h('td', {class: 'labels'}, delivery.label ? h('span', {class: ['label', delivery.replayOf ? 'label-replay' : 'label-replayed'], text: delivery.label}) : null),
		h('td', {class: 'attempts', text: String(delivery.attemptCount)}),
		h('td', {class: 'actions'},
			h('div', {class: 'button-row'},
				action('raw', t('log.raw'), async () => {
					const text = await api.text(`${base}/raw`);
					openDialog({
						id: 'raw-dialog',
						title: t('raw.title', {type: delivery.eventType}),
						className: 'wide',
						body: [h('pre', {id: 'raw-json', class: 'json', tabindex: '0', text: prettyJson(text)})],
						footer: [h('button', {type: 'button', class: 'button primary', on: {click: (e) => e.target.closest('dialog').close()}}, t('close'))],
					});
				}),
				action('download', t('log.download'), () => api.download(`${base}/download`, `${delivery.eventType}_${delivery.id}.json`)),
				action('replay', t('log.replay'), async () => {
					await api.post(`${base}/replay`);
					app.notify(t('log.replayed'));
					await load(app);
					app.reload({quiet: true});
				})),
			error));
}

function recoverForm(app) {
	const input = h('input', {type: 'datetime-local', id: 'recover-since', step: '1', value: state.recoverSince});
	const error = errorSlot('recover-error');
	const result = h('p', {id: 'recover-result', class: 'notice', role: 'status', hidden: !state.recoverResult, text: state.recoverResult});
	const submit = h('button', {type: 'submit', id: 'recover-submit', class: 'button'}, t('log.recoverButton'));
	const form = h('form', {class: 'recover', id: 'recover-form', novalidate: true},
		h('label', {for: 'recover-since', text: t('log.recover')}), input, submit, result, error);
	input.setAttribute('aria-describedby', 'recover-error');
	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		result.hidden = true;
		state.recoverResult = '';
		state.recoverSince = input.value;
		if (!input.value) return showError(error, t('log.recoverNeedTime'));
		const since = new Date(input.value);
		if (Number.isNaN(since.getTime())) return showError(error, t('log.recoverNeedTime'));
		const answer = await busy(submit, error,
			() => api.post(api.accountPath(app.state.accountId, 'endpoints', state.endpointId, 'recover'), {since: since.toISOString()}), errorText);
		if (answer) {
			state.recoverResult = t('log.recovered', {count: answer.replayed});
			result.textContent = state.recoverResult;
			result.hidden = false;
			await load(app);
		}
		return undefined;
	});
	return form;
}

function draw(app) {
	const section = state.section;
	if (!section) return;
	const endpoint = app.state.endpoints.find((e) => e.id === state.endpointId);
	if (!state.endpointId || !endpoint) {
		replace(section, h('h2', {id: 'log-title', text: t('log.title')}), h('p', {class: 'muted', text: t('log.choose')}));
		return;
	}
	const name = endpoint.description || endpoint.url || endpoint.email;
	const filter = h('select', {id: 'log-status'},
		[['', t('log.all')], ['pending', t('status.pending')], ['succeeded', t('status.succeeded')], ['failed', t('status.failed')]]
			.map(([value, label]) => h('option', {value, text: label, selected: state.status === value})));
	filter.addEventListener('change', () => {
		state.status = filter.value;
		state.cursors = [null];
		state.page = 0;
		load(app);
	});
	// Refreshes the log and the statistics beside the endpoints.
	const refresh = h('button', {type: 'button', id: 'log-refresh', class: 'button small',
		on: {click: async () => { await load(app); app.reload({quiet: true}); }}}, t('log.refresh'));

	const items = state.data ? state.data.items : [];
	const table = state.data && items.length
		? h('table', {class: 'log-table', id: 'log-table'},
			h('thead', {}, h('tr', {},
				[t('log.time'), t('log.event'), t('log.status'), t('log.code'), t('log.label'), t('log.attempts'), t('log.actions')]
					.map((label) => h('th', {scope: 'col', text: label})))),
			h('tbody', {}, items.map((d) => row(app, d))))
		: h('p', {class: 'muted', id: 'log-empty', text: state.data ? t('log.empty') : '…'});
	const hasArchived = items.some((d) => d.archived);

	const newer = h('button', {type: 'button', id: 'log-newer', class: 'button small', disabled: state.page === 0,
		on: {click: () => { state.page -= 1; load(app); }}}, `‹ ${t('log.newer')}`);
	const older = h('button', {type: 'button', id: 'log-older', class: 'button small', disabled: !(state.data && state.data.next),
		on: {click: () => {
			state.cursors[state.page + 1] = state.data.next;
			state.page += 1;
			load(app);
		}}}, `${t('log.older')} ›`);

	replace(section,
		h('div', {class: 'card-head row'},
			h('h2', {id: 'log-title'}, t('log.for', {name})),
			h('div', {class: 'toolbar'},
				h('label', {for: 'log-status', text: t('log.status')}), filter, refresh)),
		state.error ? h('p', {class: 'error', role: 'alert', id: 'log-error', text: state.error}) : null,
		hasArchived ? h('p', {class: 'hint', text: t('log.archivedHint')}) : null,
		h('div', {class: 'table-wrap'}, table),
		h('nav', {class: 'pager', 'aria-label': t('log.title')},
			newer, h('span', {id: 'log-page', text: t('log.page', {page: state.page + 1})}), older),
		recoverForm(app));
}
