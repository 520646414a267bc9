/*
 * Séance: the portal's only own script.
 *
 * Loaded with <script defer src="/static/js/app.js"></script> after htmx. The
 * Content-Security-Policy is strict (script-src 'self'): no inline scripts, no
 * inline event handlers, no eval, anywhere in the pages.
 *
 * htmx is configured in the page head, not here, so that the configuration is
 * read before htmx starts:
 *
 *   <meta name="htmx-config" content='{"includeIndicatorStyles":false,
 *     "allowEval":false,"allowScriptTags":false,
 *     "historyCacheSize":0,"refreshOnHistoryMiss":true}'>
 *
 * - includeIndicatorStyles: false stops htmx from injecting an inline <style>
 *   element (blocked by the CSP); static/css/app.css styles .htmx-indicator.
 * - allowEval: false and allowScriptTags: false turn off hx-on, js: values and
 *   scripts in swapped content, which the CSP would block anyway.
 * - historyCacheSize: 0 keeps copies of pages (personal data) out of the
 *   browser's sessionStorage; refreshOnHistoryMiss then reloads from the server.
 */
(function () {
	'use strict';

	/*
	 * CSRF: the server puts the current token in
	 *   <meta name="csrf-token" content="...">
	 * and expects it back in the X-CSRF-Token header on htmx requests (plain
	 * forms send it in their hidden field instead). The token is read at
	 * request time so a rotated token in the page is picked up.
	 */
	function csrfToken() {
		var meta = document.querySelector('meta[name="csrf-token"]');
		return meta ? meta.getAttribute('content') : '';
	}

	// Only requests to this origin get the token, so it never leaks elsewhere
	// (htmx 2 already refuses cross-origin requests by default).
	function sameOrigin(path) {
		try {
			return new URL(path, window.location.href).origin === window.location.origin;
		} catch (e) {
			return false;
		}
	}

	document.body.addEventListener('htmx:configRequest', function (event) {
		var token = csrfToken();
		if (token && sameOrigin(event.detail.path)) {
			event.detail.headers['X-CSRF-Token'] = token;
		}
	});
	/*
	 * Tables that scroll sideways (phone widths, wide tables): the element that
	 * scrolls (the DSFR's .fr-table__container, or the table itself in the
	 * shorter <div class="fr-table"><table> markup) is made reachable by
	 * keyboard, so that its hidden columns can be scrolled with the arrow keys
	 * (RGAA 7.3, axe-core scrollable-region-focusable). A container becomes a
	 * named region; a table keeps its role and is named by its caption. Only
	 * elements that do scroll get a tab stop; the check is redone on resize and
	 * after htmx swaps.
	 */
	function tableName(table) {
		var caption = table && table.querySelector('caption');
		var text = caption ? caption.textContent.replace(/\s+/g, ' ').trim() : '';
		return text ? 'Tableau défilant : ' + text : 'Tableau défilant';
	}

	function markScrollingTables() {
		var scrollers = document.querySelectorAll('.fr-table__container, .fr-table > table');
		Array.prototype.forEach.call(scrollers, function (el) {
			var scrolls = el.scrollWidth > el.clientWidth + 1;
			if (!scrolls) {
				if (el.getAttribute('data-seance-scroll') === '1') {
					el.removeAttribute('tabindex');
					el.removeAttribute('data-seance-scroll');
				}
				return;
			}
			if (el.hasAttribute('tabindex')) {
				return;
			}
			el.setAttribute('tabindex', '0');
			el.setAttribute('data-seance-scroll', '1');
			if (el.tagName !== 'TABLE') {
				el.setAttribute('role', 'region');
				el.setAttribute('aria-label', tableName(el.querySelector('table')));
			}
		});
	}

	var resizeTimer = null;
	window.addEventListener('resize', function () {
		window.clearTimeout(resizeTimer);
		resizeTimer = window.setTimeout(markScrollingTables, 150);
	});
	window.addEventListener('load', markScrollingTables);
	document.body.addEventListener('htmx:afterSettle', markScrollingTables);
	markScrollingTables();

	/*
	 * After a form is refused, the focus goes to the error summary that the
	 * layout renders above the page (its title also starts with « Erreur : »),
	 * so that a screen reader reads the errors and a phone shows them. After a
	 * redirect to #messages (e.g. a reply to a convocation), the confirmation
	 * gets the focus and is scrolled into view.
	 */
	var summary = document.getElementById('resume-erreurs');
	var messages = document.getElementById('messages');
	if (summary) {
		summary.focus();
	} else if (messages && window.location.hash === '#messages') {
		messages.focus();
		messages.scrollIntoView({block: 'start'});
	}
})();
