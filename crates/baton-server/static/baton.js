// Baton's only script. Pages work without it; it adds keyboard shortcuts, picks the
// browser's time zone on the first-run page and keeps the inbox count live. No inline script
// anywhere (the CSP forbids it).
(function () {
  "use strict";

  // First run: pre-select the browser's time zone when the list has it.
  document.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!select.dataset.userChanged && Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) {
      if (select.value === "UTC") select.value = zone;
    }
  });

  // The inbox count in the rail follows the server's live counters (server-sent events): a
  // number that changes quietly, nothing else. Without this script, or while the stream is
  // down, the count stays what the page was rendered with; the browser reconnects by itself.
  var liveCount = document.querySelector("[data-live-inbox]");
  if (liveCount && window.EventSource) {
    var source = null;
    var listen = function () {
      source = new EventSource(liveCount.getAttribute("data-live-inbox"));
      source.onmessage = function (event) {
        var counters;
        try {
          counters = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        if (typeof counters.open_asks !== "number") return;
        liveCount.textContent = String(counters.open_asks);
        liveCount.setAttribute("aria-label", counters.open_asks + " open asks");
      };
    };
    // A hidden tab lets its stream go (a browser opens only a few connections per site) and
    // catches up when shown again, since a stream's first event is the current count.
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && source) {
        source.close();
        source = null;
      } else if (!document.hidden && !source) {
        listen();
      }
    });
    if (!document.hidden) listen();
  }

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
