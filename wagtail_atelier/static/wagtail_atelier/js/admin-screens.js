/*
 * wagtail-atelier: small enhancements of the package's admin screens (table plan,
 * harvest). Every screen works without this script.
 *
 * - A form marked data-atelier-unsaved-warning="<message>" warns before what was
 *   typed in it is lost: a link marked data-atelier-leaves-form asks first, and
 *   leaving the page otherwise gets the browser's own warning.
 * - Table plan: a person's name (data-atelier-move-link) fills in the move form
 *   without reloading and puts focus on its next control, the table; opened at a
 *   fragment (after a move: the moved person's name), focus goes there rather
 *   than staying on <body>.
 */
(function () {
  "use strict";

  if (window.atelierAdminScreens) {
    return;
  }
  window.atelierAdminScreens = true;

  function guardUnsaved(form) {
    var message = form.getAttribute("data-atelier-unsaved-warning");
    var dirty = false;
    var submitting = false;
    form.addEventListener("input", function () {
      dirty = true;
    });
    form.addEventListener("submit", function () {
      submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = message;
        return message;
      }
      return undefined;
    });
    form.addEventListener("click", function (event) {
      var link = event.target.closest("[data-atelier-leaves-form]");
      if (!link || !dirty) {
        return;
      }
      if (window.confirm(message)) {
        dirty = false; // asked once is enough
      } else {
        event.preventDefault();
      }
    });
  }

  function enhanceMoveLinks() {
    var form = document.getElementById("move");
    var person = document.getElementById("move-person");
    var round = document.getElementById("move-round");
    var table = document.getElementById("move-table");
    if (!form || !person || !round || !table) {
      return;
    }
    var status = document.getElementById("move-status");
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-atelier-move-link]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      person.value = link.getAttribute("data-move-person");
      round.value = link.getAttribute("data-move-round");
      if (status) {
        status.textContent = link.getAttribute("data-atelier-move-link");
      }
      form.scrollIntoView({ block: "center" });
      table.focus({ preventScroll: true });
    });
  }

  function focusFragment() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) {
      return;
    }
    if (target.id === "move") {
      // Opened from a person's name without the script's help: the person and
      // round are chosen, the table is next.
      target = document.getElementById("move-table") || target;
    }
    var active = document.activeElement;
    if (active && active !== document.body && active !== target.closest("form")) {
      return; // something (an error summary) already holds focus
    }
    target.focus();
  }

  function init() {
    var forms = document.querySelectorAll("form[data-atelier-unsaved-warning]");
    for (var i = 0; i < forms.length; i += 1) {
      guardUnsaved(forms[i]);
    }
    enhanceMoveLinks();
    focusFragment();
    window.addEventListener("load", focusFragment);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
