// cyberevidence report: timeline filters. Vanilla JS: no libraries, no network, never parses data as HTML.
// Without JavaScript every row stays visible and the filter form stays hidden.
(function () {
  "use strict";
  var dataNode = document.getElementById("timeline-data");
  var form = document.getElementById("filters");
  var table = document.getElementById("timeline-months");
  if (!dataNode || !form || !table) { return; }
  var data = JSON.parse(dataNode.textContent || "{}");
  var rows = table.querySelectorAll("table.timeline tbody tr");
  var months = table.querySelectorAll("details.month");
  var opened = false;
  var meta = data.rows || [];
  var texts = null;
  var status = document.getElementById("filter-status");
  var field = function (name) { return form.elements.namedItem(name); };

  function lowerTexts() {
    if (texts === null) {
      texts = [];
      for (var i = 0; i < rows.length; i++) { texts.push((rows[i].textContent || "").toLowerCase()); }
    }
    return texts;
  }

  function apply() {
    var person = field("person").value, platform = field("platform").value, kind = field("kind").value;
    var from = field("from").value, to = field("to").value;
    var q = field("q").value.trim().toLowerCase();
    var all = q ? lowerTexts() : null;
    var shown = 0;
    if (!opened && (person || platform || kind || from || to || q)) {
      // A filter looks at every month: open them all (once; the reader may close them again).
      for (var j = 0; j < months.length; j++) { months[j].open = true; }
      opened = true;
    }
    for (var i = 0; i < rows.length; i++) {
      var m = meta[i] || [];
      var ok = (person === "" || String(m[0]) === person) &&
        (platform === "" || String(m[1]) === platform) &&
        (kind === "" || String(m[2]) === kind) &&
        (from === "" || m[3] >= from) &&
        (to === "" || m[3] <= to) &&
        (all === null || all[i].indexOf(q) !== -1);
      rows[i].hidden = !ok;
      if (ok) { shown++; }
    }
    if (status) {
      status.textContent = "Showing " + shown + " of " + rows.length + " rows.";
    }
    table.setAttribute("data-visible", String(shown));
  }

  // A link to a row inside a closed month opens that month (browsers without "ancestor revealing").
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var el = id ? document.getElementById(id) : null;
    for (var d = el; d; d = d.parentElement) { if (d.tagName === "DETAILS") { d.open = true; } }
    if (el) { el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", reveal);
  if (window.location.hash) { reveal(); }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  apply();
})();
