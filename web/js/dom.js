// Builds DOM nodes. Text is always set with textContent and attributes with setAttribute,
// so nothing a user or the API provides is ever parsed as HTML.

/**
 * h('button', {class: 'primary', type: 'button', on: {click: fn}}, 'Save')
 * Children: strings (as text), nodes, arrays of them; null/undefined/false are skipped.
 * Attributes: `class`, `text` (textContent), `on` (event listeners), `dataset`, booleans
 * (true = present, false = absent), everything else via setAttribute.
 */
export function h(tag, attrs = {}, ...children) {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attrs || {})) {
		if (value === undefined || value === null || value === false) continue;
		if (name === 'on') {
			for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
		} else if (name === 'dataset') {
			for (const [key, v] of Object.entries(value)) node.dataset[key] = String(v);
		} else if (name === 'text') {
			node.textContent = String(value);
		} else if (name === 'class') {
			node.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : String(value);
		} else if (value === true) {
			node.setAttribute(name, '');
		} else if (name === 'value' && (tag === 'input' || tag === 'textarea' || tag === 'select')) {
			node.value = String(value);
		} else if (name === 'checked' || name === 'disabled' || name === 'selected') {
			node[name] = Boolean(value);
		} else {
			node.setAttribute(name, String(value));
		}
	}
	append(node, children);
	return node;
}

export function append(node, children) {
	for (const child of children.flat(Infinity)) {
		if (child === null || child === undefined || child === false) continue;
		node.append(child instanceof Node ? child : document.createTextNode(String(child)));
	}
	return node;
}

/** Replaces all children of `node`. */
export function replace(node, ...children) {
	node.replaceChildren();
	return append(node, children);
}

/** A unique-enough id for label/for pairs. */
let counter = 0;
export function uid(prefix) {
	counter += 1;
	return `${prefix}-${counter}`;
}

/**
 * Re-indents JSON text without parsing its values, so numbers, escapes and member order
 * stay exactly as sent (JSON.parse would round 12345678901234567890123 and drop duplicate keys).
 * Text that is not JSON comes back unchanged.
 */
export function prettyJson(text, indent = '  ') {
	let out = '';
	let depth = 0;
	let inString = false;
	let escaped = false;
	const newline = () => '\n' + indent.repeat(depth);
	for (let i = 0; i < text.length; i += 1) {
		const c = text[i];
		if (inString) {
			out += c;
			if (escaped) escaped = false;
			else if (c === '\\') escaped = true;
			else if (c === '"') inString = false;
			continue;
		}
		if (c === '"') {
			inString = true;
			out += c;
		} else if (c === '{' || c === '[') {
			// Keep {} and [] on one line.
			let j = i + 1;
			while (j < text.length && /\s/.test(text[j])) j += 1;
			const close = c === '{' ? '}' : ']';
			if (text[j] === close) {
				out += c + close;
				i = j;
			} else {
				depth += 1;
				out += c + newline();
			}
		} else if (c === '}' || c === ']') {
			depth = Math.max(0, depth - 1);
			out += newline() + c;
		} else if (c === ',') {
			out += ',' + newline();
		} else if (c === ':') {
			out += ': ';
		} else if (!/\s/.test(c)) {
			out += c;
		}
	}
	return inString || depth !== 0 ? text : out;
}
