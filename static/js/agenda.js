/*
 * Séance: drag and drop of agenda items (sessions feature).
 *
 * The agenda works without this script: each item has "Monter" / "Descendre"
 * buttons (plain forms, enhanced by htmx), which are also the keyboard
 * alternative. With the script, items of <ol data-reorder-form="ID"> can be
 * dragged; on drop, the hidden inputs of form ID are put in the new order and
 * the form is submitted through htmx, which swaps the agenda section.
 */
(function () {
	'use strict';

	var dragged = null;
	var focusId = null;

	function list() {
		return document.querySelector('ol[data-reorder-form]');
	}

	function submitOrder(ol) {
		var form = document.getElementById(ol.getAttribute('data-reorder-form'));
		if (!form) {
			return;
		}
		form.querySelectorAll('input[name="item"]').forEach(function (input) {
			input.remove();
		});
		ol.querySelectorAll('li[data-item-id]').forEach(function (li) {
			var input = document.createElement('input');
			input.type = 'hidden';
			input.name = 'item';
			input.value = li.getAttribute('data-item-id');
			form.appendChild(input);
		});
		if (window.htmx) {
			window.htmx.trigger(form, 'submit');
		} else {
			form.submit();
		}
	}

	function setup() {
		var ol = list();
		if (!ol || ol.getAttribute('data-dnd') === 'on') {
			return;
		}
		ol.setAttribute('data-dnd', 'on');
		document.documentElement.classList.add('seance-js');
		ol.addEventListener('dragstart', function (e) {
			var li = e.target.closest('li[data-item-id]');
			if (!li) {
				return;
			}
			dragged = li;
			li.classList.add('seance-agenda__item--dragging');
			e.dataTransfer.effectAllowed = 'move';
			e.dataTransfer.setData('text/plain', li.getAttribute('data-item-id'));
		});
		ol.addEventListener('dragover', function (e) {
			var over = e.target.closest('li[data-item-id]');
			if (!dragged || !over || over === dragged) {
				return;
			}
			e.preventDefault();
			var box = over.getBoundingClientRect();
			var after = e.clientY > box.top + box.height / 2;
			ol.insertBefore(dragged, after ? over.nextSibling : over);
		});
		ol.addEventListener('drop', function (e) {
			if (dragged) {
				e.preventDefault();
			}
		});
		ol.addEventListener('dragend', function () {
			if (!dragged) {
				return;
			}
			dragged.classList.remove('seance-agenda__item--dragging');
			dragged = null;
			submitOrder(ol);
		});
	}

	// Keep the keyboard focus on the moved item's button after htmx swaps the agenda.
	document.addEventListener('htmx:beforeRequest', function (e) {
		var el = document.activeElement;
		focusId = el && el.id ? el.id : null;
	});
	document.addEventListener('htmx:afterSettle', function () {
		setup();
		if (focusId) {
			var el = document.getElementById(focusId);
			if (!el) {
				var kind = focusId.split('-')[0];
				el = document.getElementById((kind === 'up' ? 'down-' : 'up-') + focusId.split('-')[1]);
			}
			if (el) {
				el.focus();
			}
			focusId = null;
		}
	});
	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', setup);
	} else {
		setup();
	}
})();
