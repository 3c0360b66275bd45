/*
 * wagtail-atelier: the per-visitor parts of a cached registration form.
 *
 * The workshop page is the same for every visitor, so that it can be cached: its
 * form has an empty CSRF token and an empty signed start time. This script fetches
 * both from the page's private form-token/ route when the visitor starts filling in
 * the form (the start time counts from then), and before sending if they are still
 * missing. Without it the form still works: the server answers with the form again,
 * filled in, with the tokens in the page, asking to send it once more.
 */
(function () {
  "use strict";

  function enhance(form) {
    var url = form.getAttribute("data-atelier-token-url");
    var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
    var started = form.querySelector('input[name="form_started"]');
    if (!url || !csrf || !started) {
      return;
    }
    var pending = null;
    var sending = false;

    function fetchTokens() {
      if (!pending) {
        pending = window
          .fetch(url, {
            credentials: "same-origin",
            cache: "no-store",
            headers: { Accept: "application/json" },
          })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("form-token " + response.status);
            }
            return response.json();
          })
          .then(function (tokens) {
            csrf.value = tokens.csrf_token;
            started.value = tokens.form_started;
          })
          .catch(function () {
            pending = null; // tried again on sending; else the server asks again
          });
      }
      return pending;
    }

    form.addEventListener("focusin", fetchTokens);
    form.addEventListener("submit", function (event) {
      if (csrf.value && started.value) {
        return;
      }
      event.preventDefault();
      if (sending) {
        return;
      }
      sending = true;
      Promise.resolve(fetchTokens()).then(function () {
        // submit() sends without a second "submit" event.
        HTMLFormElement.prototype.submit.call(form);
      });
    });
    // Back to a page kept in the browser's memory: its start time was used by the
    // form just sent, so fetch a fresh one.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        csrf.value = "";
        started.value = "";
        pending = null;
        sending = false;
      }
    });
  }

  if (!window.fetch || !window.Promise) {
    return;
  }
  var forms = document.querySelectorAll("form[data-atelier-token-url]");
  for (var i = 0; i < forms.length; i += 1) {
    enhance(forms[i]);
  }
})();
