/*
 * wagtail-atelier: small enhancements of the public forms. Every form works
 * without this script; the server stays the judge of what is required.
 *
 * - After a failed submit, focus goes to the error summary (which has
 *   tabindex="-1"), even when the page was opened at a fragment such as
 *   #registration that would otherwise take focus.
 * - A link in the error summary moves focus to its control and scrolls its label
 *   (or the legend of its group) into view.
 * - A part marked data-atelier-show-when="<field name>" and
 *   data-atelier-show-value="<value>" is shown only while that value is chosen,
 *   and its controls are then marked required for assistive technology (the case
 *   question, for case presenters). Its data-atelier-note hints, written for
 *   people without the script, are hidden.
 */
(function () {
  "use strict";

  if (window.atelierForms) {
    return; // included once per form: run once per page
  }
  window.atelierForms = true;

  function labelFor(control) {
    var group = control.closest("fieldset");
    if ((control.type === "radio" || control.type === "checkbox") && group) {
      var legend = group.querySelector("legend");
      if (legend && group.querySelectorAll("input").length > 1) {
        return legend;
      }
    }
    if (control.id) {
      var label = document.querySelector('label[for="' + control.id + '"]');
      if (label) {
        return label;
      }
    }
    return control;
  }

  function focusSummary() {
    var summary = document.querySelector("[data-atelier-error-summary]");
    if (summary && document.activeElement !== summary) {
      summary.focus();
    }
    return summary;
  }

  function enhanceSummary(summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      if (!link) {
        return;
      }
      var control = document.getElementById(link.getAttribute("href").slice(1));
      if (!control) {
        return;
      }
      event.preventDefault();
      labelFor(control).scrollIntoView({ block: "start" });
      control.focus({ preventScroll: true });
    });
  }

  function enhanceConditional(part) {
    var form = part.closest("form");
    var name = part.getAttribute("data-atelier-show-when");
    var value = part.getAttribute("data-atelier-show-value");
    if (!form || !name) {
      return;
    }
    var notes = part.querySelectorAll("[data-atelier-note]");
    var controls = part.querySelectorAll("input, select, textarea");

    function chosen() {
      var inputs = form.elements[name];
      if (!inputs) {
        return false;
      }
      if (inputs.length === undefined) {
        inputs = [inputs];
      }
      for (var i = 0; i < inputs.length; i += 1) {
        if (inputs[i].checked && inputs[i].value === value) {
          return true;
        }
      }
      return false;
    }

    // A server error in it keeps it shown until the choice changes, so that no
    // link of the error summary leads to a hidden control.
    var keepShown = !!part.querySelector(".atelier-errors");

    function update() {
      var shown = keepShown || chosen();
      part.hidden = !shown;
      for (var i = 0; i < controls.length; i += 1) {
        if (shown) {
          controls[i].setAttribute("aria-required", "true");
        } else {
          controls[i].removeAttribute("aria-required");
        }
      }
    }

    for (var i = 0; i < notes.length; i += 1) {
      notes[i].hidden = true;
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === name) {
        keepShown = false;
        update();
      }
    });
    // Back to a page kept in memory: the browser restores the choice.
    window.addEventListener("pageshow", update);
    update();
  }

  function init() {
    var parts = document.querySelectorAll("[data-atelier-show-when]");
    for (var i = 0; i < parts.length; i += 1) {
      enhanceConditional(parts[i]);
    }
    var summary = focusSummary();
    if (!summary) {
      return;
    }
    enhanceSummary(summary);
    // Opened at a fragment (the form posts to "…#registration"), the browser may
    // focus that section once the page has loaded: take focus back, unless the
    // visitor has moved on.
    window.addEventListener("load", function () {
      var active = document.activeElement;
      if (
        !active ||
        active === document.body ||
        (active.getAttribute("tabindex") === "-1" && active.contains(summary))
      ) {
        focusSummary();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
