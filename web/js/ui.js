// Dialogs, messages and small form helpers shared by the views.
import {h} from './dom.js';
import {t} from './i18n.js';

/**
 * Opens a modal <dialog> built from nodes; it is removed from the page when closed.
 * Returns the dialog element (its `returnValue` says which button closed it).
 */
export function openDialog({id, title, body = [], footer = [], className = '', onClose}) {
	const titleId = `${id}-title`;
	const dialog = h('dialog', {id, class: ['dialog', className], 'aria-labelledby': titleId},
		h('div', {class: 'dialog-head'},
			h('h2', {id: titleId, text: title}),
			h('button', {type: 'button', class: 'icon-button', 'aria-label': t('close'), title: t('close'),
				on: {click: () => dialog.close('cancel')}}, '×')),
		h('div', {class: 'dialog-body'}, body),
		footer.length ? h('div', {class: 'dialog-foot'}, footer) : null);
	dialog.addEventListener('close', () => {
		dialog.remove();
		if (onClose) onClose(dialog.returnValue);
	});
	document.body.append(dialog);
	dialog.showModal();
	return dialog;
}

/** A confirmation dialog; resolves to true when confirmed. */
export function confirmDialog(message, okLabel = t('confirm.ok'), {danger = false} = {}) {
	return new Promise((resolve) => {
		let confirmed = false;
		const dialog = openDialog({
			id: 'confirm-dialog',
			title: t('confirm.title'),
			body: [h('p', {text: message})],
			footer: [
				h('button', {type: 'button', class: 'button', on: {click: () => dialog.close('cancel')}}, t('form.cancel')),
				h('button', {type: 'button', id: 'confirm-ok', class: ['button', danger ? 'danger' : 'primary'],
					on: {click: () => { confirmed = true; dialog.close('ok'); }}}, okLabel),
			],
			onClose: () => resolve(confirmed),
		});
	});
}

/** An element that shows an error next to a field or an action (empty and hidden until set). */
export function errorSlot(id) {
	return h('p', {id, class: 'error', role: 'alert', hidden: true});
}

export function showError(slot, text) {
	if (!slot) return;
	slot.textContent = text || '';
	slot.hidden = !text;
}

/** Runs `action` with `button` disabled meanwhile; errors go to `slot` (via `describe`). */
export async function busy(button, slot, action, describe) {
	if (button) button.disabled = true;
	showError(slot, '');
	try {
		return await action();
	} catch (error) {
		showError(slot, describe(error));
		return undefined;
	} finally {
		if (button && button.isConnected) button.disabled = false;
	}
}
