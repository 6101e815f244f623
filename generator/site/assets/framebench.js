/* framebench: live charts (vega-embed over the static SVG) and sortable, filterable tables. No network. */
(function () {
  "use strict";

  function renderCharts() {
    if (!window.vegaEmbed) return;
    document.querySelectorAll("div.fb-chart[data-spec]").forEach(function (box) {
      var node = document.getElementById(box.getAttribute("data-spec"));
      if (!node || box.getAttribute("data-live")) return;
      box.setAttribute("data-live", "pending");
      var target = document.createElement("div");
      target.className = "fb-live";
      box.appendChild(target);
      window.vegaEmbed(target, JSON.parse(node.textContent), { actions: false, renderer: "svg" })
        .then(function () { box.setAttribute("data-live", "yes"); })
        .catch(function (err) {
          // Keep the static SVG; say why on the console for whoever debugs it.
          target.remove();
          box.setAttribute("data-live", "failed");
          console.warn("framebench chart left static:", err);
        });
    });
  }

  var UNITS = { ns: 1e-9, "µs": 1e-6, us: 1e-6, ms: 1e-3, s: 1 };

  // Numbers sort as numbers (with time units), everything else as text.
  function sortKey(text) {
    var m = text.trim().replace(/,/g, "").match(/^([-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*(ns|µs|us|ms|s)?\b/);
    if (!m) return { num: false, value: text.trim().toLowerCase() };
    return { num: true, value: parseFloat(m[1]) * (m[2] ? UNITS[m[2]] : 1) };
  }

  function compare(a, b) {
    if (a.num && b.num) return a.value - b.value;
    if (a.num !== b.num) return a.num ? -1 : 1;
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }

  function enhanceTable(box) {
    var table = box.querySelector("table");
    if (!table || box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "yes");
    var body = table.tBodies[0];
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "fb-filter";
    filter.placeholder = "Filter rows…";
    filter.setAttribute("aria-label", "Filter the rows of the " + (box.getAttribute("data-name") || "") + " table");
    filter.addEventListener("input", function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(body.rows, function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
    box.insertBefore(filter, box.firstChild);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.classList.add("fb-sortable");
      th.setAttribute("tabindex", "0");
      th.setAttribute("aria-sort", "none");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.map.call(body.rows, function (row, i) {
          return { row: row, key: sortKey(row.cells[col] ? row.cells[col].textContent : ""), i: i };
        });
        rows.sort(function (a, b) { return (ascending ? 1 : -1) * compare(a.key, b.key) || a.i - b.i; });
        rows.forEach(function (r) { body.appendChild(r.row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  }

  function start() {
    renderCharts();
    document.querySelectorAll("div.fb-table").forEach(enhanceTable);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
