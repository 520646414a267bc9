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
})();
