/* framebench: live charts on demand and paged, sortable, filterable tables. No network beyond this site. */
(function () {
  "use strict";

  var SCRIPT = document.currentScript && document.currentScript.src;
  var BUNDLE = SCRIPT ? SCRIPT.replace(/framebench\.js(\?.*)?$/, "vendor/vega-bundle.js") : null;
  var PAGE_ROWS = 25;

  // ---- charts ----
  // A chart with a static preview (SVG written at build time, every point a link) is upgraded to the
  // live Vega chart only when the reader reaches for it: points at it or changes its selector. So the
  // Vega bundle (~900 KB) never loads while a page opens. A chart without a preview (too many points)
  // is drawn live when it comes near the viewport, once the page has loaded and the browser is idle.

  var bundle = null;
  function loadBundle() {
    if (!bundle) {
      bundle = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = BUNDLE;
        s.async = true;
        s.onload = resolve;
        s.onerror = function () { reject(new Error("could not load " + BUNDLE)); };
        document.head.appendChild(s);
      });
    }
    return bundle;
  }

  function paletteConfig() {
    var style = getComputedStyle(document.body);
    var fg = style.getPropertyValue("--md-default-fg-color").trim() || "#222";
    var faint = style.getPropertyValue("--md-default-fg-color--lightest").trim() || "#ddd";
    var axis = { labelColor: fg, titleColor: fg, gridColor: faint, domainColor: fg, tickColor: fg };
    return { background: null, axis: axis, legend: { labelColor: fg, titleColor: fg },
             title: { color: fg, subtitleColor: fg }, view: { stroke: faint } };
  }

  // The page's own selectors (drawn with the preview) drive the chart's parameters of the same name.
  function selectors(box) { return box.querySelectorAll(".fb-binds select[data-param]"); }
  function chosen(select) { return select.hasAttribute("data-number") ? Number(select.value) : select.value; }

  function draw(box) {
    var target = box.querySelector(".fb-live");
    if (!target) {
      target = document.createElement("div");
      target.className = "fb-live";
      box.appendChild(target);
    }
    var spec = JSON.parse(JSON.stringify(box._fbSpec));
    var preview = box.querySelector(".fb-preview");
    if (preview) delete spec.title;  // the figure's caption shows it already
    selectors(box).forEach(function (select) {
      (spec.params || []).forEach(function (p) {
        if (p.name === select.getAttribute("data-param")) { p.value = chosen(select); delete p.bind; }
      });
    });
    var config = spec.config || {}, palette = paletteConfig();
    Object.keys(palette).forEach(function (key) {
      var mine = palette[key];
      config[key] = mine && typeof mine === "object" ? Object.assign({}, config[key] || {}, mine) : mine;
    });
    spec.config = config;
    box._fbConfig = config;  // the palette a chart was drawn in (the browser tests read it)
    return window.vegaEmbed(target, spec, { actions: false, renderer: "canvas" }).then(function (result) {
      box._fbView = result.view;
      box.setAttribute("data-live", "yes");
      box.style.minHeight = "";
      if (preview) preview.hidden = true;
      var canvas = target.querySelector("canvas");
      if (canvas) {
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", box.getAttribute("aria-label") || "chart");
      }
    });
  }

  function showChart(box) {
    if (box.getAttribute("data-live")) return;
    box.setAttribute("data-live", "pending");
    Promise.all([fetch(box.getAttribute("data-src")).then(function (r) { return r.json(); }), loadBundle()])
      .then(function (done) { box._fbSpec = done[0]; return draw(box); })
      .catch(function (err) {
        box.setAttribute("data-live", "failed");
        console.warn("framebench chart not shown:", err);
      });
  }

  function onDemand(box) {
    box.addEventListener("pointerenter", function () { showChart(box); });
    selectors(box).forEach(function (select) {
      select.addEventListener("change", function () {
        if (box._fbView) box._fbView.signal(select.getAttribute("data-param"), chosen(select)).runAsync();
        else showChart(box);  // drawn with the selectors' values
      });
    });
  }

  function whenIdle(fn) {
    function idle() {
      if ("requestIdleCallback" in window) window.requestIdleCallback(fn, { timeout: 2000 });
      else setTimeout(fn, 200);
    }
    if (document.readyState === "complete") idle();
    else window.addEventListener("load", idle);
  }

  function startCharts() {
    var boxes = document.querySelectorAll("figure.fb-chart[data-src]");
    if (!boxes.length) return;
    var lazy = [];
    boxes.forEach(function (b) { if (b.querySelector(".fb-preview")) onDemand(b); else lazy.push(b); });
    if (lazy.length) {
      whenIdle(function () {
        if (!("IntersectionObserver" in window)) { lazy.forEach(showChart); return; }
        var seen = new IntersectionObserver(function (entries) {
          entries.forEach(function (e) {
            if (e.isIntersecting) { seen.unobserve(e.target); showChart(e.target); }
          });
        });
        lazy.forEach(function (b) { seen.observe(b); });
      });
    }
    // Redraw live charts in the other palette when the reader switches it.
    new MutationObserver(function () {
      boxes.forEach(function (b) { if (b._fbSpec && b.getAttribute("data-live") === "yes") draw(b); });
    }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  // ---- tables ----

  function text(cell) { return typeof cell === "string" ? cell : cell[0]; }
  function sortValue(cell) {
    if (typeof cell === "string") return null;
    return cell[1] === null || cell[1] === undefined ? null : cell[1];
  }

  // Numbers (the raw value a column carries) sort as numbers, missing ones last; text as text.
  function compare(a, b) {
    var x = sortValue(a), y = sortValue(b);
    if (x !== null && y !== null) return x - y;
    if (x !== null || y !== null) return x !== null ? -1 : 1;
    var s = text(a).toLowerCase(), t = text(b).toLowerCase();
    return s < t ? -1 : s > t ? 1 : 0;
  }

  function filterBox(box, onInput) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "fb-filter";
    input.placeholder = "Filter rows…";
    input.setAttribute("aria-label", "Filter the rows of the " + (box.getAttribute("data-name") || "") + " table");
    input.addEventListener("input", function () {
      onInput(input.value.toLowerCase().split(/\s+/).filter(Boolean));
    });
    return input;
  }

  function sortButton(th, onSort) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "fb-sort";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      onSort(ascending);
    });
  }

  // A table written into the page: rows are in the DOM already.
  function enhanceInline(box) {
    var table = box.querySelector("table");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    box.insertBefore(filterBox(box, function (words) {
      rows.forEach(function (row) {
        var t = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return t.indexOf(w) >= 0; });
      });
    }), box.firstChild);  // Material may have wrapped the table in its own scroll boxes
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      sortButton(th, function (ascending) {
        var keyed = rows.map(function (row, i) {
          var td = row.cells[col];
          var raw = td && td.hasAttribute("data-sort") ? td.getAttribute("data-sort") : null;
          var cell = raw === null ? (td ? td.textContent : "") : [td.textContent, raw === "" ? null : parseFloat(raw)];
          return { row: row, cell: cell, i: i };
        });
        keyed.sort(function (a, b) { return (ascending ? 1 : -1) * compare(a.cell, b.cell) || a.i - b.i; });
        keyed.forEach(function (k) { body.appendChild(k.row); });
      });
    });
  }

  function csv(data) {
    var quote = function (s) { return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
    var lines = [data.columns.map(function (c) { return quote(c.title); }).join(",")];
    data.rows.forEach(function (row) {
      lines.push(row.map(function (c) {
        var v = sortValue(c);
        return quote(v === null ? text(c) : String(v));
      }).join(","));
    });
    return lines.join("\n") + "\n";
  }

  // A table shipped as a data file: fetched, then drawn a page of rows at a time.
  function renderData(box, data) {
    var state = { rows: data.rows, shown: data.rows, page: 0 };
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    var body = table.createTBody();
    var pager = document.createElement("div");
    pager.className = "fb-pager";
    var prev = document.createElement("button"), next = document.createElement("button");
    var where = document.createElement("span");
    prev.type = next.type = "button";
    prev.textContent = "‹ previous";
    next.textContent = "next ›";
    where.setAttribute("aria-live", "polite");
    pager.append(prev, where, next);

    function draw() {
      var pages = Math.max(1, Math.ceil(state.shown.length / PAGE_ROWS));
      state.page = Math.min(state.page, pages - 1);
      var first = state.page * PAGE_ROWS;
      var slice = state.shown.slice(first, first + PAGE_ROWS);
      body.textContent = "";
      slice.forEach(function (row) {
        var tr = body.insertRow();
        row.forEach(function (cell) {
          var td = tr.insertCell();
          var href = typeof cell === "string" ? null : cell[2];
          if (href) {
            var a = document.createElement("a");
            a.href = href;
            a.textContent = text(cell);
            td.appendChild(a);
          } else {
            td.textContent = text(cell);
          }
        });
      });
      where.textContent = state.shown.length
        ? "rows " + (first + 1) + "–" + (first + slice.length) + " of " + state.shown.length
        : "no matching rows";
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
    }
    prev.addEventListener("click", function () { state.page -= 1; draw(); });
    next.addEventListener("click", function () { state.page += 1; draw(); });

    data.columns.forEach(function (column, col) {
      var th = document.createElement("th");
      th.textContent = column.title;
      if (column.wide) th.className = "fb-wide";
      head.appendChild(th);
      sortButton(th, function (ascending) {
        var keyed = state.rows.map(function (row, i) { return { row: row, i: i }; });
        keyed.sort(function (a, b) { return (ascending ? 1 : -1) * compare(a.row[col], b.row[col]) || a.i - b.i; });
        state.rows = keyed.map(function (k) { return k.row; });
        state.shown = state.rows.filter(function (row) { return !row._fbHidden; });
        state.page = 0;
        draw();
      });
    });
    var filter = filterBox(box, function (words) {
      state.rows.forEach(function (row) {
        var t = row._fbText || (row._fbText = row.map(text).join(" ").toLowerCase());
        row._fbHidden = !words.every(function (w) { return t.indexOf(w) >= 0; });
      });
      state.shown = state.rows.filter(function (row) { return !row._fbHidden; });
      state.page = 0;
      draw();
    });
    var download = document.createElement("button");
    download.type = "button";
    download.className = "fb-csv";
    download.textContent = "download as CSV";
    download.addEventListener("click", function () {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([csv(data)], { type: "text/csv" }));
      a.download = (box.getAttribute("data-name") || "table").replace(/[^a-z0-9]+/gi, "-") + ".csv";
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    });
    var note = box.querySelector(".fb-table-note");
    if (note) note.appendChild(download);
    box.append(filter, table, pager);
    box.setAttribute("data-ready", "yes");
    draw();
  }

  function startTable(box) {
    if (box.getAttribute("data-src")) {
      fetch(box.getAttribute("data-src")).then(function (r) { return r.json(); })
        .then(function (data) { renderData(box, data); })
        .catch(function (err) { console.warn("framebench table not shown:", err); });
    } else if (box.querySelector("table")) {
      enhanceInline(box);
      box.setAttribute("data-ready", "yes");
    }
  }

  // Each table is made interactive (or fetched and drawn) when it comes near the viewport, in a task
  // of its own, so a page of many tables never blocks the reader.
  function startTables() {
    var boxes = document.querySelectorAll("div.fb-table");
    if (!("IntersectionObserver" in window)) { boxes.forEach(startTable); return; }
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { seen.unobserve(e.target); setTimeout(function () { startTable(e.target); }, 0); }
      });
    }, { rootMargin: "300px" });
    boxes.forEach(function (b) { seen.observe(b); });
  }

  // Material's search dialog has no accessible name of its own.
  function nameDialogs() {
    document.querySelectorAll('[role="dialog"]:not([aria-label]):not([aria-labelledby])').forEach(function (d) {
      d.setAttribute("aria-label", "Search");
    });
  }

  // ---- Material's script, on the first interaction ----
  // The page shell writes Material's bundle inert (generator/site/theme/main.html): reading a page
  // needs none of it, and its start-up would block a phone for ~0.5 s while the page opens. It loads
  // when the reader first scrolls, points, types or tabs. A click on one of its controls (search,
  // palette) or a shortcut key that comes first is handed to it again once it has started.

  var INERT = 'script[type="framebench/on-demand"]';
  var CONTROLS = 'label[for="__search"], label[for^="__palette"]';
  var material = null, materialUp = false;

  function loadMaterial() {
    var inert = document.querySelector(INERT);
    if (!material) {
      material = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = inert.src;
        s.onload = function () {
          // Material starts on DOMContentLoaded, which has passed: announce it once more.
          document.dispatchEvent(new Event("DOMContentLoaded"));
          materialUp = true;
          var active = document.activeElement;  // a search box focused meanwhile: Material opens it
          if (active && active.closest && active.closest(".md-search")) { active.blur(); active.focus(); }
          setTimeout(resolve, 0);
        };
        s.onerror = function () { reject(new Error("could not load " + inert.src)); };
        document.body.appendChild(s);
      });
    }
    return material;
  }

  function warn(err) { console.warn("framebench: Material's script not loaded:", err); }

  function materialOnDemand() {
    if (!document.querySelector(INERT)) return;
    var first = { capture: true, passive: true, once: true };
    ["scroll", "wheel", "pointermove", "pointerdown", "touchstart", "focusin"].forEach(function (type) {
      window.addEventListener(type, function () { loadMaterial().catch(warn); }, first);
    });
    document.addEventListener("click", function (e) {
      var control = materialUp ? null : e.target.closest && e.target.closest(CONTROLS);
      if (!control) return;
      e.preventDefault();
      e.stopPropagation();
      loadMaterial().then(function () { control.click(); }, warn);
    }, true);
    window.addEventListener("keydown", function (e) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName || "");
      if (materialUp || typing) { loadMaterial().catch(warn); return; }
      loadMaterial().then(function () {  // e.g. "/" or "s", Material's shortcut to the search box
        window.dispatchEvent(new KeyboardEvent("keydown", { key: e.key, code: e.code }));
      }, warn);
    }, { capture: true, once: true });
  }

  function start() { nameDialogs(); materialOnDemand(); startTables(); startCharts(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();
})();
