// Baton's only script. Pages work without it; it adds keyboard shortcuts and picks the
// browser's time zone on the first-run page. No inline script anywhere (the CSP forbids it).
(function () {
  "use strict";

  // First run: pre-select the browser's time zone when the list has it.
  document.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!select.dataset.userChanged && Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) {
      if (select.value === "UTC") select.value = zone;
    }
  });

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(target.tagName);
  }

  // j / k move between items marked data-nav-item (threads in a list, posts in a thread);
  // Enter follows the focused item's link; c focuses the composer or opens "new thread".
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var items = Array.prototype.slice.call(document.querySelectorAll("[data-nav-item]"));
    var index = items.indexOf(document.activeElement);
    if (event.key === "j" || event.key === "k") {
      if (items.length === 0) return;
      var next = event.key === "j" ? Math.min(index + 1, items.length - 1) : Math.max(index - 1, 0);
      if (index === -1) next = 0;
      items[next].focus();
      event.preventDefault();
    } else if (event.key === "c") {
      var composer = document.querySelector("[data-composer]");
      if (composer) {
        composer.focus();
        event.preventDefault();
        return;
      }
      var compose = document.querySelector("a[data-compose]");
      if (compose) {
        window.location.assign(compose.href);
        event.preventDefault();
      }
    }
  });
})();
