// German (the original product's language, the default) and English. The choice is kept
// in localStorage; every text of the page goes through t().

const LANGUAGE_KEY = 'hookgate.language';

const de = {
	'app.title': 'Hookgate – Webhooks',
	'nav.settings': 'Einstellungen',
	'nav.webhooks': 'Webhooks',
	'lang.label': 'Sprache',
	'signout': 'Abmelden',
	'account.label': 'Konto',
	'account.switch': 'Konto wechseln',

	'signin.title': 'Anmelden',
	'signin.intro': 'Melden Sie sich mit dem Admin-Token des Gateways oder mit dem Token eines Kontos an. Ein Konto-Token öffnet sein Konto; als Admin wählen Sie danach das Konto. Das Token bleibt nur in diesem Tab gespeichert.',
	'signin.token': 'Token',
	'signin.submit': 'Anmelden',
	'signin.required': 'Bitte ein Token eingeben.',

	'picker.title': 'Konto wählen',
	'picker.intro': 'Sie sind als Admin angemeldet. Wählen Sie das Konto, dessen Webhooks Sie verwalten möchten.',
	'picker.none': 'Es gibt noch keine Konten. Legen Sie eines über die API an (POST /api/v1/accounts).',
	'picker.open': 'Öffnen',

	'settings.title': 'Webhooks',
	'settings.intro': 'Webhooks teilen anderen Systemen sofort mit, wenn ein Ereignis eintritt – als signierter POST-Request oder als E-Mail mit der JSON-Datei.',
	'settings.switch': 'Webhooks aktiviert',
	'settings.switchOff': 'Webhooks sind ausgeschaltet: Ereignisse werden angenommen, aber nicht zugestellt.',
	'settings.plan': 'Tarif',
	'settings.usage': '{count} von {limit} Endpunkten',
	'settings.usageOne': '{count} von {limit} Endpunkt',
	'plan.basic': 'Basic',
	'plan.professional': 'Professional',
	'plan.business': 'Business',
	'plan.enterprise': 'Enterprise',

	'endpoints.title': 'Endpunkte',
	'endpoints.add': 'Endpunkt hinzufügen',
	'endpoints.limit': 'Limit erreicht: Der Tarif {plan} erlaubt {limit} Endpunkt(e). Löschen Sie einen Endpunkt oder wechseln Sie den Tarif.',
	'endpoints.empty': 'Noch keine Endpunkte. Fügen Sie mit „+“ den ersten hinzu.',
	'endpoints.created': 'Endpunkt angelegt.',
	'endpoints.saved': 'Endpunkt gespeichert.',
	'endpoints.deleted': 'Endpunkt gelöscht.',
	'endpoint.email': 'E-Mail an {email}',
	'endpoint.disabled': 'Deaktiviert',
	'endpoint.enabled': 'Aktiv',
	'endpoint.events': 'Ereignisse',
	'endpoint.hierarchy': 'Hierarchie',
	'endpoint.authHeader': 'Authorization Header',
	'endpoint.maxInFlight': 'Max. parallele Zustellungen',
	'endpoint.rateLimit': 'Ratenlimit',
	'endpoint.perSecond': '{count} pro Sekunde',
	'endpoint.log': 'Protokoll',
	'endpoint.edit': 'Bearbeiten',
	'endpoint.disable': 'Deaktivieren',
	'endpoint.enable': 'Aktivieren',
	'endpoint.secret': 'Signaturschlüssel',
	'endpoint.delete': 'Löschen',
	'stats.succeeded': 'akzeptiert',
	'stats.failed': 'fehlgeschlagen',
	'stats.pending': 'ausstehend',
	'stats.rate': 'Erfolgsquote',
	'stats.none': 'noch keine',

	'form.addTitle': 'Endpunkt hinzufügen',
	'form.editTitle': 'Endpunkt bearbeiten',
	'form.url': 'URL des Webhook-Endpunktes',
	'form.urlHint': 'Empfängt jedes Ereignis als POST-Request (http oder https).',
	'form.authKey': 'Authorization Header Key',
	'form.authKeyHint': 'Optional, z. B. „Authorization“ oder „Ocp-Apim-Subscription-Key“.',
	'form.authValue': 'Authorization Header Value',
	'form.authValueKeep': 'Leer lassen, um den gespeicherten Wert ({masked}) zu behalten.',
	'form.email': 'E-Mail-Adresse statt Request',
	'form.emailHint': 'Optional: Die JSON-Datei wird an diese Adresse gesendet; es wird dann kein Request an die URL gemacht.',
	'form.description': 'Beschreibung',
	'form.events': 'Ereignistypen',
	'form.allEvents': 'Alle Ereignistypen (*)',
	'form.patterns': 'Gespeicherte Muster: {patterns}. Sie bleiben erhalten, solange Sie die Auswahl nicht ändern.',
	'form.enterpriseOnly': 'nur Enterprise',
	'form.hierarchy': 'Hierarchie der JSON-Datei',
	'form.nested': 'Verschachtelt (nested)',
	'form.flat': 'Flach (flat)',
	'form.template': 'Vorlage (template)',
	'form.templateName': 'Vorlage',
	'form.noTemplates': 'keine Vorlagen vorhanden',
	'form.maxInFlight': 'Max. parallele Zustellungen',
	'form.maxInFlightHint': 'Höchstens so viele Zustellungen gleichzeitig an diesen Endpunkt (1–1024, je Gateway-Knoten). Leer: Standard des Gateways ({default}).',
	'form.rateLimit': 'Ratenlimit (pro Sekunde)',
	'form.rateLimitHint': 'Höchstens so viele Zustellversuche pro Sekunde (1–10000, je Gateway-Knoten). Leer: kein Limit. Zurückgehaltene Zustellungen warten; sie schlagen deshalb nicht fehl.',
	'form.rateLimitNone': 'kein Limit',
	'form.needNumber': 'Bitte eine ganze Zahl eingeben oder das Feld leer lassen.',
	'form.enabled': 'Endpunkt aktiv',
	'form.save': 'Speichern',
	'form.cancel': 'Abbrechen',
	'form.needTarget': 'Bitte eine URL oder eine E-Mail-Adresse angeben.',
	'form.needEvents': 'Bitte mindestens einen Ereignistyp wählen.',
	'form.needAuthValue': 'Bitte auch den Wert des Headers angeben.',

	'group.appointment': 'Termine',
	'group.event': 'Events',
	'group.customer': 'Kunden',
	'group.lead': 'Leads',
	'group.payment': 'Zahlungen',
	'group.other': 'Weitere',

	'secret.title': 'Signaturschlüssel',
	'secret.intro': 'Mit diesem Schlüssel signiert Hookgate jeden Request (Header webhook-signature, Standard Webhooks).',
	'secret.rotate': 'Neuen Schlüssel erzeugen',
	'secret.rotateConfirm': 'Einen neuen Signaturschlüssel erzeugen? Der bisherige signiert noch 24 Stunden lang mit.',
	'secret.rotated': 'Neuer Schlüssel erzeugt; der bisherige signiert noch 24 Stunden mit.',
	'close': 'Schließen',

	'confirm.title': 'Bitte bestätigen',
	'confirm.ok': 'Bestätigen',
	'confirm.delete': 'Endpunkt „{name}“ löschen? Sein Protokoll wird ebenfalls gelöscht.',
	'confirm.deleteButton': 'Endgültig löschen',

	'log.title': 'Protokoll',
	'log.for': 'Protokoll: {name}',
	'log.choose': 'Wählen Sie einen Endpunkt, um sein Protokoll zu sehen.',
	'log.status': 'Status',
	'log.all': 'Alle',
	'log.refresh': 'Aktualisieren',
	'log.empty': 'Keine Einträge.',
	'log.time': 'Zeitstempel',
	'log.event': 'Ereignis',
	'log.code': 'Code',
	'log.label': 'Label',
	'log.attempts': 'Versuche',
	'log.actions': 'Aktionen',
	'log.archived': 'Archiviert',
	'log.raw': 'Raw',
	'log.download': 'Download',
	'log.replay': 'Replay',
	'log.replayed': 'Erneut gesendet.',
	'log.newer': 'Neuere',
	'log.older': 'Ältere',
	'log.page': 'Seite {page}',
	'log.recover': 'Fehlgeschlagene erneut senden seit',
	'log.recoverButton': 'Erneut senden',
	'log.recovered': '{count} fehlgeschlagene Zustellung(en) erneut gesendet.',
	'log.recoverNeedTime': 'Bitte einen Zeitpunkt angeben.',
	'log.archivedHint': 'Archivierte Einträge: Die Daten wurden nach Ablauf der Aufbewahrungsfrist gelöscht; Raw, Download und Replay sind nicht mehr möglich.',
	'raw.title': 'Raw: {type}',
	'status.pending': 'Ausstehend',
	'status.succeeded': 'Erfolgreich',
	'status.failed': 'Fehlgeschlagen',

	'error.network': 'Das Gateway ist nicht erreichbar.',
	'error.invalid_json': 'Ungültige Anfrage (kein JSON-Objekt).',
	'error.unauthorized': 'Das Token ist ungültig.',
	'error.forbidden': 'Dieses Token darf das nicht.',
	'error.plan_feature_unavailable': 'Im aktuellen Tarif nicht verfügbar.',
	'error.not_found': 'Nicht gefunden.',
	'error.method_not_allowed': 'Diese Aktion ist hier nicht erlaubt.',
	'error.plan_limit_reached': 'Das Endpunkt-Limit des Tarifs ist erreicht.',
	'error.conflict': 'Existiert bereits.',
	'error.archived': 'Archiviert: Die Daten dieses Eintrags wurden gelöscht.',
	'error.payload_too_large': 'Die Anfrage ist zu groß.',
	'error.unsupported_media_type': 'Falscher Inhaltstyp.',
	'error.validation_failed': 'Ungültige Eingabe.',
	'error.rate_limited': 'Zu viele Anfragen; bitte kurz warten.',
	'error.unavailable': 'Das Gateway ist gerade nicht verfügbar; bitte erneut versuchen.',
	'error.internal_error': 'Interner Fehler des Gateways.',
	'error.http_error': 'Unerwartete Antwort des Gateways.',
};

const en = {
	'app.title': 'Hookgate – Webhooks',
	'nav.settings': 'Settings',
	'nav.webhooks': 'Webhooks',
	'lang.label': 'Language',
	'signout': 'Sign out',
	'account.label': 'Account',
	'account.switch': 'Switch account',

	'signin.title': 'Sign in',
	'signin.intro': "Sign in with the gateway's admin token or with an account's token. An account token opens its account; as the admin you choose the account next. The token is kept in this tab only.",
	'signin.token': 'Token',
	'signin.submit': 'Sign in',
	'signin.required': 'Please enter a token.',

	'picker.title': 'Choose an account',
	'picker.intro': 'You are signed in as the admin. Choose the account whose webhooks you want to manage.',
	'picker.none': 'There are no accounts yet. Create one through the API (POST /api/v1/accounts).',
	'picker.open': 'Open',

	'settings.title': 'Webhooks',
	'settings.intro': 'Webhooks tell other systems at once when something happens – as a signed POST request or as an email with the JSON file.',
	'settings.switch': 'Webhooks enabled',
	'settings.switchOff': 'Webhooks are switched off: events are accepted but not delivered.',
	'settings.plan': 'Plan',
	'settings.usage': '{count} of {limit} endpoints',
	'settings.usageOne': '{count} of {limit} endpoint',
	'plan.basic': 'Basic',
	'plan.professional': 'Professional',
	'plan.business': 'Business',
	'plan.enterprise': 'Enterprise',

	'endpoints.title': 'Endpoints',
	'endpoints.add': 'Add endpoint',
	'endpoints.limit': 'Limit reached: the {plan} plan allows {limit} endpoint(s). Delete an endpoint or change the plan.',
	'endpoints.empty': 'No endpoints yet. Add the first one with "+".',
	'endpoints.created': 'Endpoint created.',
	'endpoints.saved': 'Endpoint saved.',
	'endpoints.deleted': 'Endpoint deleted.',
	'endpoint.email': 'Email to {email}',
	'endpoint.disabled': 'Disabled',
	'endpoint.enabled': 'Active',
	'endpoint.events': 'Events',
	'endpoint.hierarchy': 'Hierarchy',
	'endpoint.authHeader': 'Authorization header',
	'endpoint.maxInFlight': 'Max. attempts in flight',
	'endpoint.rateLimit': 'Rate limit',
	'endpoint.perSecond': '{count} per second',
	'endpoint.log': 'Log',
	'endpoint.edit': 'Edit',
	'endpoint.disable': 'Disable',
	'endpoint.enable': 'Enable',
	'endpoint.secret': 'Signing secret',
	'endpoint.delete': 'Delete',
	'stats.succeeded': 'accepted',
	'stats.failed': 'failed',
	'stats.pending': 'pending',
	'stats.rate': 'success rate',
	'stats.none': 'none yet',

	'form.addTitle': 'Add endpoint',
	'form.editTitle': 'Edit endpoint',
	'form.url': 'Webhook endpoint URL',
	'form.urlHint': 'Receives each event as a POST request (http or https).',
	'form.authKey': 'Authorization header key',
	'form.authKeyHint': 'Optional, e.g. "Authorization" or "Ocp-Apim-Subscription-Key".',
	'form.authValue': 'Authorization header value',
	'form.authValueKeep': 'Leave empty to keep the stored value ({masked}).',
	'form.email': 'Email address instead of the request',
	'form.emailHint': 'Optional: the JSON file is mailed to this address; no request is then made to the URL.',
	'form.description': 'Description',
	'form.events': 'Event types',
	'form.allEvents': 'All event types (*)',
	'form.patterns': 'Stored patterns: {patterns}. They are kept as long as you do not change the selection.',
	'form.enterpriseOnly': 'enterprise only',
	'form.hierarchy': 'JSON hierarchy',
	'form.nested': 'Nested',
	'form.flat': 'Flat',
	'form.template': 'Template',
	'form.templateName': 'Template',
	'form.noTemplates': 'no templates available',
	'form.maxInFlight': 'Max. attempts in flight',
	'form.maxInFlightHint': "At most this many deliveries to this endpoint at once (1–1024, per gateway node). Empty: the gateway's default ({default}).",
	'form.rateLimit': 'Rate limit (per second)',
	'form.rateLimitHint': 'At most this many delivery attempts per second (1–10000, per gateway node). Empty: no limit. Deliveries held back wait; they do not fail for it.',
	'form.rateLimitNone': 'none',
	'form.needNumber': 'Please enter a whole number or leave the field empty.',
	'form.enabled': 'Endpoint enabled',
	'form.save': 'Save',
	'form.cancel': 'Cancel',
	'form.needTarget': 'Please enter a URL or an email address.',
	'form.needEvents': 'Please choose at least one event type.',
	'form.needAuthValue': "Please enter the header's value too.",

	'group.appointment': 'Appointments',
	'group.event': 'Events',
	'group.customer': 'Customers',
	'group.lead': 'Leads',
	'group.payment': 'Payments',
	'group.other': 'Other',

	'secret.title': 'Signing secret',
	'secret.intro': 'Hookgate signs every request with this secret (header webhook-signature, Standard Webhooks).',
	'secret.rotate': 'Create a new secret',
	'secret.rotateConfirm': 'Create a new signing secret? The previous one keeps signing alongside for 24 hours.',
	'secret.rotated': 'New secret created; the previous one keeps signing for 24 hours.',
	'close': 'Close',

	'confirm.title': 'Please confirm',
	'confirm.ok': 'Confirm',
	'confirm.delete': 'Delete the endpoint "{name}"? Its log is deleted too.',
	'confirm.deleteButton': 'Delete for good',

	'log.title': 'Log',
	'log.for': 'Log: {name}',
	'log.choose': 'Choose an endpoint to see its log.',
	'log.status': 'Status',
	'log.all': 'All',
	'log.refresh': 'Refresh',
	'log.empty': 'No entries.',
	'log.time': 'Timestamp',
	'log.event': 'Event',
	'log.code': 'Code',
	'log.label': 'Label',
	'log.attempts': 'Attempts',
	'log.actions': 'Actions',
	'log.archived': 'Archived',
	'log.raw': 'Raw',
	'log.download': 'Download',
	'log.replay': 'Replay',
	'log.replayed': 'Sent again.',
	'log.newer': 'Newer',
	'log.older': 'Older',
	'log.page': 'Page {page}',
	'log.recover': 'Send failed deliveries again since',
	'log.recoverButton': 'Send again',
	'log.recovered': '{count} failed delivery(ies) sent again.',
	'log.recoverNeedTime': 'Please enter a time.',
	'log.archivedHint': 'Archived entries: their data was deleted after the retention period; Raw, Download and Replay are no longer possible.',
	'raw.title': 'Raw: {type}',
	'status.pending': 'Pending',
	'status.succeeded': 'Succeeded',
	'status.failed': 'Failed',

	'error.network': 'The gateway cannot be reached.',
	'error.invalid_json': 'Invalid request (not a JSON object).',
	'error.unauthorized': 'The token is not valid.',
	'error.forbidden': 'This token may not do that.',
	'error.plan_feature_unavailable': 'Not available on the current plan.',
	'error.not_found': 'Not found.',
	'error.method_not_allowed': 'This action is not allowed here.',
	'error.plan_limit_reached': "The plan's endpoint limit is reached.",
	'error.conflict': 'Already exists.',
	'error.archived': "Archived: this entry's data was deleted.",
	'error.payload_too_large': 'The request is too large.',
	'error.unsupported_media_type': 'Wrong content type.',
	'error.validation_failed': 'Invalid input.',
	'error.rate_limited': 'Too many requests; please wait a moment.',
	'error.unavailable': 'The gateway is not available right now; please try again.',
	'error.internal_error': 'Internal error of the gateway.',
	'error.http_error': 'Unexpected answer from the gateway.',
};

/** Short descriptions of the catalog's event types (from the original product's list). */
const eventDescriptions = {
	de: {
		'appointment.booking.created': 'Ein Kunde hat einen Termin über das Buchungswidget vereinbart.',
		'event.booking.created': 'Ein Kunde hat sich bei einem Gruppentermin angemeldet.',
		'appointment.booking.cancelled': 'Ein Kunde hat einen Termin storniert.',
		'event.booking.cancelled': 'Ein Kunde hat seine Event-Teilnahme abgesagt.',
		'appointment.updated': 'Der Termin wurde verschoben.',
		'appointment.manual.booking.created': 'Ein manueller Kundentermin wurde im Kalender eingetragen.',
		'event.manual.booking.created': 'Ein Kunde wurde manuell zu einem Gruppentermin hinzugefügt.',
		'customer.created': 'Ein Kunde wurde angelegt.',
		'customer.updated': 'Ein Kunde wurde aktualisiert.',
		'customer.deleted': 'Ein Kunde wurde gelöscht.',
		'lead.created': 'Ein neuer Lead wurde angelegt.',
		'appointment.booking.payment_succeeded': 'Die gebuchten Dienstleistungen wurden bezahlt.',
		'appointment.booking.payment_failed': 'Bei der Bezahlung eines Termins gab es ein Problem.',
		'event.booking.payment_succeeded': 'Die Event-Teilnahme wurde bezahlt.',
		'event.booking.payment_failed': 'Bei der Bezahlung einer Event-Teilnahme gab es ein Problem.',
	},
	en: {
		'appointment.booking.created': 'A customer booked an appointment through the booking widget.',
		'event.booking.created': 'A customer signed up for a group event.',
		'appointment.booking.cancelled': 'A customer cancelled an appointment.',
		'event.booking.cancelled': 'A customer cancelled their event participation.',
		'appointment.updated': 'The appointment was moved.',
		'appointment.manual.booking.created': 'A manual customer appointment was entered in the calendar.',
		'event.manual.booking.created': 'A customer was added to a group event by hand.',
		'customer.created': 'A customer was created.',
		'customer.updated': 'A customer was updated.',
		'customer.deleted': 'A customer was deleted.',
		'lead.created': 'A new lead was created.',
		'appointment.booking.payment_succeeded': 'The booked services were paid.',
		'appointment.booking.payment_failed': 'Paying for an appointment failed.',
		'event.booking.payment_succeeded': 'The event participation was paid.',
		'event.booking.payment_failed': 'Paying for an event participation failed.',
	},
};

const dictionaries = {de, en};
export const LANGUAGES = [['de', 'Deutsch'], ['en', 'English']];

let current = (() => {
	const stored = localStorage.getItem(LANGUAGE_KEY);
	return stored && dictionaries[stored] ? stored : 'de';
})();

export function language() {
	return current;
}

export function setLanguage(lang) {
	if (!dictionaries[lang]) return;
	current = lang;
	localStorage.setItem(LANGUAGE_KEY, lang);
	document.documentElement.lang = lang;
	document.title = t('app.title');
}

/** The text for `key` in the current language, with {name} placeholders filled from `params`. */
export function t(key, params = {}) {
	const text = dictionaries[current][key] ?? dictionaries.de[key] ?? key;
	return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

export function eventDescription(type) {
	return eventDescriptions[current][type] || '';
}

/** A readable message for an API error: the code's text, then the API's own message (which names the field). */
export function errorText(error) {
	const code = error && error.code ? error.code : 'http_error';
	const known = dictionaries[current][`error.${code}`] ? t(`error.${code}`) : t('error.http_error');
	const detail = error && error.apiMessage ? error.apiMessage : '';
	return detail && code !== 'network' ? `${known} ${detail}` : (code === 'network' && error.apiMessage ? `${known} (${error.apiMessage})` : known);
}

export function formatTime(iso) {
	if (!iso) return '–';
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	return new Intl.DateTimeFormat(current === 'de' ? 'de-DE' : 'en-GB', {dateStyle: 'medium', timeStyle: 'medium'}).format(date);
}

export function formatPercent(rate) {
	if (rate === null || rate === undefined) return '–';
	return new Intl.NumberFormat(current === 'de' ? 'de-DE' : 'en-GB', {style: 'percent', maximumFractionDigits: 1}).format(rate);
}
