/* Mend's few behaviours on top of USWDS. A file, not inline script: the CSP allows no other. */
(function () {
  "use strict";

  // After a failed submit the error summary takes focus (GOV.UK pattern), the page title
  // says there is an error, and each link puts focus in its field with its label in view.
  function errorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    var prefix = summary.getAttribute("data-title-prefix");
    if (prefix && document.title.indexOf(prefix) !== 0) {
      document.title = prefix + " " + document.title;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!input) {
        return;
      }
      event.preventDefault();
      var fieldset = input.closest("fieldset");
      var legend = fieldset && fieldset.querySelector("legend");
      var label = document.querySelector("label[for='" + input.id + "']");
      var heading = input.type === "radio" || input.type === "checkbox" ? legend : label;
      (heading || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // A table wider than a phone scrolls inside its box; keyboard users must reach it too.
  function scrollableRegions() {
    document.querySelectorAll(".mend-table-scroll").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        if (caption && caption.textContent.trim()) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  // A part of a form that applies to one choice only (data-shown-when="kind=restitution",
  // a term's kind or how a party agrees) shows for that choice. Without script every part
  // shows, its hint saying when it applies.
  function shownWhen() {
    document.querySelectorAll("[data-shown-when]").forEach(function (part) {
      var rule = part.getAttribute("data-shown-when").split("=");
      var form = part.closest("form");
      if (!form) {
        return;
      }
      function update() {
        var chosen = form.querySelector(
          "select[name='" + rule[0] + "'], [name='" + rule[0] + "']:checked"
        );
        part.hidden = !chosen || rule[1].split(" ").indexOf(chosen.value) === -1;
      }
      form.addEventListener("change", update);
      update();
    });
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(scrollableRegions, 100);
  });
  document.addEventListener("htmx:afterSettle", scrollableRegions);
  errorSummary();
  shownWhen();
  scrollableRegions();
})();
