// cyberevidence report: timeline filters. Vanilla JS: no libraries, no network, never parses data as HTML.
// Without JavaScript every row stays visible and the filter form stays hidden.
(function () {
  "use strict";
  var dataNode = document.getElementById("timeline-data");
  var form = document.getElementById("filters");
  var table = document.getElementById("timeline-table");
  if (!dataNode || !form || !table) { return; }
  var data = JSON.parse(dataNode.textContent || "{}");
  var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
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

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  apply();
})();
