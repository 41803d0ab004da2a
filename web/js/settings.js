// The settings page: the webhooks switch, plan and usage, the endpoint list with each
// endpoint's statistics, the endpoint form ("+"), the signing secret, delete.
import * as api from './api.js';
import {h} from './dom.js';
import {t, errorText, eventDescription, formatPercent} from './i18n.js';
import {openDialog, confirmDialog, errorSlot, showError, busy} from './ui.js';

const GROUPS = ['appointment', 'event', 'customer', 'lead', 'payment', 'other'];

/** The form's group of an event type: payments first, then by prefix. */
export function groupOf(type) {
	if (/(^|\.)payment(_|\.|$)/.test(type)) return 'payment';
	const prefix = type.split('.')[0];
	return GROUPS.includes(prefix) ? prefix : 'other';
}

function planName(plan) {
	const key = `plan.${plan}`;
	const text = t(key);
	return text === key ? plan : text;
}

function endpointName(endpoint) {
	return endpoint.description || endpoint.url || endpoint.email || endpoint.id;
}

function statsView(stats) {
	const s = stats || {};
	return h('div', {class: 'endpoint-stats', 'aria-label': t('stats.rate')},
		h('span', {class: 'stat stat-succeeded', dataset: {stat: 'succeeded'}}, h('strong', {text: s.succeeded ?? 0}), ' ', t('stats.succeeded')),
		h('span', {class: 'stat stat-failed', dataset: {stat: 'failed'}}, h('strong', {text: s.failed ?? 0}), ' ', t('stats.failed')),
		h('span', {class: 'stat stat-pending', dataset: {stat: 'pending'}}, h('strong', {text: s.pending ?? 0}), ' ', t('stats.pending')),
		h('span', {class: 'stat stat-rate', dataset: {stat: 'successRate'}},
			t('stats.rate'), ' ', h('strong', {text: s.successRate === null || s.successRate === undefined ? t('stats.none') : formatPercent(s.successRate)})));
}

function switchCard(app) {
	const account = app.state.account;
	const errorId = 'webhooks-enabled-error';
	const error = errorSlot(errorId);
	const input = h('input', {type: 'checkbox', role: 'switch', id: 'webhooks-enabled', class: 'switch',
		checked: account.webhooksEnabled, 'aria-describedby': errorId});
	input.addEventListener('change', async () => {
		const wanted = input.checked;
		const updated = await busy(input, error,
			() => api.patch(api.accountPath(app.state.accountId), {webhooksEnabled: wanted}), errorText);
		if (updated) {
			app.state.account = updated;
			app.render();
		} else {
			input.checked = !wanted;
		}
	});
	const usageKey = account.endpointLimit === 1 ? 'settings.usageOne' : 'settings.usage';
	return h('section', {class: 'card', id: 'webhooks-settings', 'aria-labelledby': 'settings-title'},
		h('div', {class: 'card-head'},
			h('h1', {id: 'settings-title', text: t('settings.title')}),
			h('p', {class: 'muted', text: t('settings.intro')})),
		h('div', {class: 'settings-grid'},
			h('div', {class: 'switch-row'},
				input,
				h('label', {for: 'webhooks-enabled', text: t('settings.switch')}),
				error,
				account.webhooksEnabled ? null : h('p', {class: 'hint', id: 'webhooks-off-hint', text: t('settings.switchOff')})),
			h('dl', {class: 'plan'},
				h('div', {}, h('dt', {text: t('settings.plan')}), h('dd', {id: 'plan-name', text: planName(account.plan)})),
				h('div', {}, h('dt', {text: t('endpoints.title')}),
					h('dd', {id: 'plan-usage', text: t(usageKey, {count: account.endpointCount, limit: account.endpointLimit})}),
					h('dd', {}, h('meter', {min: 0, max: Math.max(1, account.endpointLimit), value: account.endpointCount,
						'aria-labelledby': 'plan-usage'}))))));
}

function endpointRow(app, endpoint) {
	const selected = app.state.selected === endpoint.id;
	const rowError = errorSlot(`endpoint-error-${endpoint.id}`);
	const target = endpoint.email ? t('endpoint.email', {email: endpoint.email}) : endpoint.url;
	const meta = [
		[t('endpoint.events'), endpoint.eventTypes.join(', ')],
		[t('endpoint.hierarchy'), endpoint.hierarchy],
	];
	if (endpoint.authHeader) meta.push([t('endpoint.authHeader'), `${endpoint.authHeader.key}: ${endpoint.authHeader.value}`]);
	if (endpoint.maxInFlight) meta.push([t('endpoint.maxInFlight'), String(endpoint.maxInFlight)]);
	if (endpoint.rateLimit) meta.push([t('endpoint.rateLimit'), t('endpoint.perSecond', {count: endpoint.rateLimit})]);

	const toggle = h('button', {type: 'button', class: 'button small', dataset: {action: 'toggle'}},
		endpoint.enabled ? t('endpoint.disable') : t('endpoint.enable'));
	toggle.addEventListener('click', async () => {
		const done = await busy(toggle, rowError,
			() => api.patch(api.accountPath(app.state.accountId, 'endpoints', endpoint.id), {enabled: !endpoint.enabled}), errorText);
		if (done) app.reload();
	});
	const remove = h('button', {type: 'button', class: 'button small danger-text', dataset: {action: 'delete'}}, t('endpoint.delete'));
	remove.addEventListener('click', async () => {
		if (!(await confirmDialog(t('confirm.delete', {name: endpointName(endpoint)}), t('confirm.deleteButton'), {danger: true}))) return;
		const done = await busy(remove, rowError,
			() => api.del(api.accountPath(app.state.accountId, 'endpoints', endpoint.id)).then(() => true), errorText);
		if (done) {
			if (app.state.selected === endpoint.id) app.state.selected = null;
			app.notify(t('endpoints.deleted'));
			app.reload();
		}
	});

	return h('li', {class: ['endpoint', selected && 'selected', !endpoint.enabled && 'disabled'], dataset: {endpointId: endpoint.id},
		'aria-current': selected ? 'true' : false},
		h('div', {class: 'endpoint-main'},
			h('div', {class: 'endpoint-target'},
				h('span', {class: ['badge', endpoint.email ? 'badge-email' : 'badge-http'], text: endpoint.email ? 'E-Mail' : 'HTTP'}),
				h('span', {class: 'target', text: target}),
				endpoint.enabled ? null : h('span', {class: 'badge badge-off', text: t('endpoint.disabled')})),
			endpoint.description ? h('div', {class: 'endpoint-description', text: endpoint.description}) : null,
			h('dl', {class: 'endpoint-meta'}, meta.map(([k, v]) => h('div', {}, h('dt', {text: k}), h('dd', {text: v}))))),
		statsView(endpoint.stats),
		h('div', {class: 'endpoint-actions'},
			h('button', {type: 'button', class: ['button small', selected && 'primary'], dataset: {action: 'log'}, 'aria-pressed': selected ? 'true' : 'false',
				on: {click: () => app.select(endpoint.id)}}, t('endpoint.log')),
			h('button', {type: 'button', class: 'button small', dataset: {action: 'edit'},
				on: {click: () => openEndpointForm(app, endpoint)}}, t('endpoint.edit')),
			toggle,
			h('button', {type: 'button', class: 'button small', dataset: {action: 'secret'},
				on: {click: () => openSecret(app, endpoint)}}, t('endpoint.secret')),
			remove),
		rowError);
}

function endpointsCard(app) {
	const account = app.state.account;
	const atLimit = account.endpointCount >= account.endpointLimit;
	const reason = atLimit
		? h('p', {id: 'add-endpoint-reason', class: 'hint limit', text: t('endpoints.limit', {plan: planName(account.plan), limit: account.endpointLimit})})
		: null;
	const add = h('button', {type: 'button', id: 'add-endpoint', class: 'button primary add', disabled: atLimit,
		title: t('endpoints.add'), 'aria-describedby': atLimit ? 'add-endpoint-reason' : false,
		on: {click: () => openEndpointForm(app, null)}},
		h('span', {class: 'plus', 'aria-hidden': 'true', text: '+'}), h('span', {text: t('endpoints.add')}));
	const list = app.state.endpoints.length
		? h('ul', {class: 'endpoint-list', id: 'endpoint-list'}, app.state.endpoints.map((e) => endpointRow(app, e)))
		: h('p', {class: 'muted', id: 'endpoint-list-empty', text: t('endpoints.empty')});
	return h('section', {class: 'card', id: 'endpoints', 'aria-labelledby': 'endpoints-title'},
		h('div', {class: 'card-head row'},
			h('h2', {id: 'endpoints-title', text: t('endpoints.title')}),
			add),
		reason,
		list);
}

export function renderSettings(app) {
	return [switchCard(app), endpointsCard(app)];
}

// --- the endpoint form ------------------------------------------------------------------

/** Which form field an API message is about: messages start with the field's name. */
const FIELD_PREFIXES = [
	['url or email', 'url'], ['url', 'url'], ['email', 'email'], ['authHeader.key', 'authKey'],
	['authHeader.value', 'authValue'], ['authHeader', 'authKey'], ['eventTypes', 'events'],
	['hierarchy', 'hierarchy'], ['description', 'description'], ['enabled', 'enabled'],
	['maxInFlight', 'maxInFlight'], ['rateLimit', 'rateLimit'],
];

export function fieldOfMessage(message) {
	for (const [prefix, field] of FIELD_PREFIXES) {
		if (message.startsWith(`${prefix}:`) || message.startsWith(`${prefix}[`)) return field;
	}
	return 'form';
}

function field(id, labelText, input, {hint, error} = {}) {
	const hintId = hint ? `${id}-hint` : null;
	if (hintId || error) input.setAttribute('aria-describedby', [hintId, error && error.id].filter(Boolean).join(' '));
	return h('div', {class: 'field'},
		h('label', {for: id, text: labelText}),
		input,
		hint ? h('p', {class: 'hint', id: hintId, text: hint}) : null,
		error);
}

/** An optional limit's input: empty for null, with the default as its placeholder. */
function limitInput(id, name, max, value, placeholder) {
	return h('input', {type: 'number', id, name, min: 1, max, step: 1, inputmode: 'numeric', value: value ?? '', placeholder,
		autocomplete: 'off'});
}

/**
 * What a limit's input asks for: null when empty, the number when it is a whole one, otherwise
 * the text as typed (the server refuses it naming the field); undefined when the browser could
 * not read a number at all.
 */
function limitValue(input) {
	if (input.validity.badInput) return undefined;
	const text = input.value.trim();
	if (!text) return null;
	const n = Number(text);
	return Number.isSafeInteger(n) ? n : text;
}

export function openEndpointForm(app, endpoint) {
	const editing = Boolean(endpoint);
	const options = app.state.options || {eventTypes: [], hierarchies: ['nested', 'flat']};
	const errors = {};
	for (const name of ['url', 'email', 'authKey', 'authValue', 'events', 'hierarchy', 'description', 'maxInFlight', 'rateLimit', 'enabled',
		'form']) {
		errors[name] = errorSlot(`ep-${name}-error`);
	}

	const url = h('input', {type: 'url', id: 'ep-url', name: 'url', value: endpoint?.url || '', placeholder: 'https://erp.example.com/webhooks',
		autocomplete: 'off', spellcheck: 'false'});
	const authKey = h('input', {type: 'text', id: 'ep-auth-key', name: 'authKey', value: endpoint?.authHeader?.key || '', autocomplete: 'off',
		spellcheck: 'false'});
	const authValue = h('input', {type: 'text', id: 'ep-auth-value', name: 'authValue', value: '', autocomplete: 'off', spellcheck: 'false'});
	const email = h('input', {type: 'email', id: 'ep-email', name: 'email', value: endpoint?.email || '', autocomplete: 'off',
		placeholder: 'bookings@example.com'});
	const description = h('input', {type: 'text', id: 'ep-description', name: 'description', value: endpoint?.description || '',
		maxlength: 1000});
	// Delivery limits: empty is null (the gateway's default in flight; no rate limit).
	const defaultInFlight = options.defaults?.maxInFlight ?? 8;
	const maxInFlight = limitInput('ep-max-in-flight', 'maxInFlight', 1024, endpoint?.maxInFlight, String(defaultInFlight));
	const rateLimit = limitInput('ep-rate-limit', 'rateLimit', 10000, endpoint?.rateLimit, t('form.rateLimitNone'));

	// Event types, grouped; "*" as its own box. Stored patterns other than exact types are
	// shown and kept unless the selection is changed.
	const stored = endpoint ? endpoint.eventTypes : [];
	const storedAll = stored.includes('*');
	const patterns = stored.filter((p) => p.endsWith('.*'));
	const matchesStored = (type) => stored.includes(type) || patterns.some((p) => type.startsWith(p.slice(0, -1)));
	let eventsDirty = false;
	const all = h('input', {type: 'checkbox', id: 'ep-events-all', value: '*', checked: storedAll});
	const boxes = [];
	const groups = new Map(GROUPS.map((g) => [g, []]));
	options.eventTypes.forEach((item, index) => {
		const id = `ep-type-${index}`;
		const box = h('input', {type: 'checkbox', id, value: item.type, dataset: {type: item.type},
			checked: !storedAll && matchesStored(item.type), disabled: !item.available || storedAll});
		boxes.push(box);
		const note = item.enterpriseOnly ? h('span', {class: 'badge badge-plan', text: t('form.enterpriseOnly')}) : null;
		const text = eventDescription(item.type);
		groups.get(groupOf(item.type)).push(h('div', {class: ['check', !item.available && 'unavailable']},
			box,
			h('label', {for: id}, h('span', {class: 'type-line'}, h('code', {text: item.type}), note), text ? h('span', {class: 'hint', text}) : null)));
	});
	const markDirty = () => { eventsDirty = true; };
	all.addEventListener('change', () => {
		markDirty();
		boxes.forEach((b, i) => { b.disabled = all.checked || !options.eventTypes[i].available; });
	});
	boxes.forEach((b) => b.addEventListener('change', markDirty));
	const eventsFieldset = h('fieldset', {class: 'events', id: 'ep-events', 'aria-describedby': 'ep-events-error'},
		h('legend', {text: t('form.events')}),
		h('div', {class: 'check all'}, all, h('label', {for: 'ep-events-all', text: t('form.allEvents')})),
		patterns.length ? h('p', {class: 'hint', text: t('form.patterns', {patterns: patterns.join(', ')})}) : null,
		h('div', {class: 'event-groups'},
			GROUPS.filter((g) => groups.get(g).length).map((g) => h('fieldset', {class: 'event-group', dataset: {group: g}},
				h('legend', {text: t(`group.${g}`)}), groups.get(g)))),
		errors.events);

	// Hierarchy: nested / flat / template:<name>.
	const templates = options.hierarchies.filter((x) => x.startsWith('template:')).map((x) => x.slice('template:'.length));
	const current = endpoint?.hierarchy || 'nested';
	const currentTemplate = current.startsWith('template:') ? current.slice('template:'.length) : '';
	if (currentTemplate && !templates.includes(currentTemplate)) templates.push(currentTemplate);
	const radio = (value, label) => {
		const id = `ep-hierarchy-${value}`;
		const checked = value === 'template' ? current.startsWith('template:') : current === value;
		return h('div', {class: 'check'},
			h('input', {type: 'radio', name: 'hierarchy', id, value, checked, disabled: value === 'template' && !templates.length}),
			h('label', {for: id, text: label}));
	};
	const template = h('select', {id: 'ep-template', name: 'template', disabled: !templates.length},
		templates.length ? templates.map((name) => h('option', {value: name, text: name, selected: name === currentTemplate}))
			: h('option', {value: '', text: t('form.noTemplates')}));
	const hierarchyFieldset = h('fieldset', {class: 'hierarchy', id: 'ep-hierarchy', 'aria-describedby': 'ep-hierarchy-error'},
		h('legend', {text: t('form.hierarchy')}),
		h('div', {class: 'radios'}, radio('nested', t('form.nested')), radio('flat', t('form.flat')), radio('template', t('form.template')),
			h('label', {for: 'ep-template', class: 'visually-hidden', text: t('form.templateName')}), template),
		errors.hierarchy);
	template.addEventListener('change', () => {
		const r = hierarchyFieldset.querySelector('#ep-hierarchy-template');
		if (r) r.checked = true;
	});

	const enabled = h('input', {type: 'checkbox', id: 'ep-enabled', checked: endpoint ? endpoint.enabled : true});

	const masked = endpoint?.authHeader?.value;
	const form = h('form', {id: 'endpoint-form', class: 'form', novalidate: true},
		field('ep-url', t('form.url'), url, {hint: t('form.urlHint'), error: errors.url}),
		h('div', {class: 'two'},
			field('ep-auth-key', t('form.authKey'), authKey, {hint: t('form.authKeyHint'), error: errors.authKey}),
			field('ep-auth-value', t('form.authValue'), authValue,
				{hint: masked ? t('form.authValueKeep', {masked}) : null, error: errors.authValue})),
		field('ep-email', t('form.email'), email, {hint: t('form.emailHint'), error: errors.email}),
		field('ep-description', t('form.description'), description, {error: errors.description}),
		eventsFieldset,
		hierarchyFieldset,
		h('div', {class: 'two'},
			field('ep-max-in-flight', t('form.maxInFlight'), maxInFlight,
				{hint: t('form.maxInFlightHint', {default: defaultInFlight}), error: errors.maxInFlight}),
			field('ep-rate-limit', t('form.rateLimit'), rateLimit, {hint: t('form.rateLimitHint'), error: errors.rateLimit})),
		editing ? h('div', {class: 'check'}, enabled, h('label', {for: 'ep-enabled', text: t('form.enabled')}), errors.enabled) : null,
		errors.form);

	const save = h('button', {type: 'submit', form: 'endpoint-form', id: 'ep-save', class: 'button primary'}, t('form.save'));
	const dialog = openDialog({
		id: 'endpoint-dialog',
		title: editing ? t('form.editTitle') : t('form.addTitle'),
		className: 'wide',
		body: [form],
		footer: [h('button', {type: 'button', class: 'button', on: {click: () => dialog.close('cancel')}}, t('form.cancel')), save],
	});

	form.addEventListener('submit', async (event) => {
		event.preventDefault();
		Object.values(errors).forEach((slot) => showError(slot, ''));
		const body = {};
		const u = url.value.trim();
		const m = email.value.trim();
		if (!u && !m) return showError(errors.url, t('form.needTarget'));
		if (!editing || u !== (endpoint.url || '')) body.url = u || null;
		if (!editing || m !== (endpoint.email || '')) body.email = m || null;
		if (!editing) {
			if (!u) delete body.url;
			if (!m) delete body.email;
		}
		const key = authKey.value.trim();
		const value = authValue.value;
		const oldKey = endpoint?.authHeader?.key || '';
		if (!key && oldKey) body.authHeader = null;
		else if (key && value) body.authHeader = {key, value};
		else if (key && key !== oldKey) return showError(errors.authValue, t('form.needAuthValue'));

		if (!editing || eventsDirty) {
			const types = all.checked ? ['*'] : boxes.filter((b) => b.checked && !b.disabled).map((b) => b.value);
			if (!types.length) return showError(errors.events, t('form.needEvents'));
			body.eventTypes = types;
		}
		const chosen = hierarchyFieldset.querySelector('input[name="hierarchy"]:checked')?.value || 'nested';
		const hierarchy = chosen === 'template' ? `template:${template.value}` : chosen;
		if (!editing ? hierarchy !== 'nested' : hierarchy !== endpoint.hierarchy) body.hierarchy = hierarchy;
		const d = description.value.trim();
		if (!editing ? d : d !== (endpoint.description || '')) body.description = d;
		for (const [name, input] of [['maxInFlight', maxInFlight], ['rateLimit', rateLimit]]) {
			const wanted = limitValue(input);
			if (wanted === undefined) return showError(errors[name], t('form.needNumber'));
			if (wanted !== (endpoint?.[name] ?? null)) body[name] = wanted;
		}
		if (editing && enabled.checked !== endpoint.enabled) body.enabled = enabled.checked;

		const path = editing ? api.accountPath(app.state.accountId, 'endpoints', endpoint.id) : api.accountPath(app.state.accountId, 'endpoints');
		try {
			save.disabled = true;
			if (editing) {
				if (Object.keys(body).length) await api.patch(path, body);
			} else {
				await api.post(path, body);
			}
		} catch (error) {
			const where = error.code === 'validation_failed' || error.code === 'plan_feature_unavailable'
				? fieldOfMessage(error.apiMessage || '') : 'form';
			showError(errors[where] || errors.form, errorText(error));
			const input = {url, email, authKey, authValue, description, maxInFlight, rateLimit}[where];
			if (input) input.focus();
			return undefined;
		} finally {
			save.disabled = false;
		}
		dialog.close('saved');
		app.notify(editing ? t('endpoints.saved') : t('endpoints.created'));
		app.reload();
		return undefined;
	});
	url.focus();
}

// --- the signing secret -------------------------------------------------------------------

async function openSecret(app, endpoint) {
	const value = h('code', {id: 'secret-value', class: 'secret', text: '…'});
	const error = errorSlot('secret-error');
	const note = h('p', {id: 'secret-note', class: 'notice', role: 'status', hidden: true});
	const rotate = h('button', {type: 'button', id: 'secret-rotate', class: 'button'}, t('secret.rotate'));
	const path = api.accountPath(app.state.accountId, 'endpoints', endpoint.id, 'secret');
	const dialog = openDialog({
		id: 'secret-dialog',
		title: `${t('secret.title')}: ${endpointName(endpoint)}`,
		body: [h('p', {class: 'muted', text: t('secret.intro')}), value, note, error],
		footer: [rotate, h('button', {type: 'button', class: 'button primary', on: {click: () => dialog.close('ok')}}, t('close'))],
	});
	rotate.addEventListener('click', async () => {
		if (!(await confirmDialog(t('secret.rotateConfirm'), t('secret.rotate')))) return;
		const result = await busy(rotate, error, () => api.post(`${path}/rotate`), errorText);
		if (result) {
			value.textContent = result.secret;
			note.textContent = t('secret.rotated');
			note.hidden = false;
		}
	});
	const result = await busy(null, error, () => api.get(path), errorText);
	if (result) value.textContent = result.secret;
	else value.textContent = '–';
}

