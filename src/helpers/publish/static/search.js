/* The site's search box, phone menu and table filters (helpers.site, helpers.course).
 * Works from file:// with no server: MiniSearch (assets/minisearch.js) indexes the
 * documents in assets/search-index.js (window.SCO_SEARCH_DOCS) on first use.
 * Nothing is fetched. */
(function () {
  "use strict";
  var engine = null, docs = {}, loading = null;
  var KIND_BOOST = { chapter: 4, glossary: 2, data: 1.5, teaching: 1.2, solutions: 1.2, source: 0.6 };

  /* Load the library and the index as plain scripts (allowed from file://), once. */
  function load(root, then) {
    if (window.MiniSearch && window.SCO_SEARCH_DOCS) { then(); return; }
    if (!loading) {
      loading = { waiting: [] };
      var files = ["assets/minisearch/minisearch.js", "assets/search-index.js"], left = files.length;
      files.forEach(function (f) {
        var s = document.createElement("script");
        s.src = root + f;
        s.onload = function () {
          left -= 1;
          if (left === 0) { loading.done = true; loading.waiting.forEach(function (fn) { fn(); }); }
        };
        document.head.appendChild(s);
      });
    }
    if (loading.done) { then(); } else { loading.waiting.push(then); }
  }

  function build() {
    if (engine || !window.MiniSearch || !window.SCO_SEARCH_DOCS) { return engine; }
    engine = new window.MiniSearch({
      fields: ["title", "text", "page"],
      storeFields: ["url", "title", "page", "kind"],
      searchOptions: {
        boost: { title: 3, page: 1.5 }, prefix: true, fuzzy: 0.15, combineWith: "AND",
        // a reader looks for the chapters first, then the glossary and the data, then single sources
        boostDocument: function (id, term, stored) { return KIND_BOOST[stored && stored.kind] || 1; }
      }
    });
    engine.addAll(window.SCO_SEARCH_DOCS);
    window.SCO_SEARCH_DOCS.forEach(function (d) { docs[d.id] = d; });
    return engine;
  }

  function snippet(text, query) {
    var lower = text.toLowerCase(), q = query.toLowerCase(), at = lower.indexOf(q);
    if (at < 0) { at = lower.indexOf(q.split(/\s+/)[0]); }
    var start = Math.max(0, at - 60);
    return (start > 0 ? "\u2026" : "") + text.slice(start, start + 180) + (text.length > start + 180 ? "\u2026" : "");
  }

  function search(query) {
    var e = build();
    if (!e || query.trim().length < 2) { return []; }
    var q = query.trim().toLowerCase();
    var hits = e.search(query);
    // an exact phrase ("Line D") ranks first
    hits.forEach(function (h) {
      var d = docs[h.id];
      h.phrase = d && (d.title + " " + d.text).toLowerCase().indexOf(q) >= 0 ? 1 : 0;
    });
    hits.sort(function (a, b) { return (b.phrase - a.phrase) || (b.score - a.score); });
    return hits.slice(0, 15);
  }

  function show(form, box, query) {
    var root = form.getAttribute("data-root") || "";
    var hits = search(query);
    while (box.firstChild) { box.removeChild(box.firstChild); }
    if (query.trim().length < 2) { box.hidden = true; return; }
    var head = document.createElement("p");
    head.className = "sco-search-count";
    head.textContent = hits.length ? hits.length + (hits.length === 15 ? "+" : "") + " results for \u201c" + query + "\u201d"
                                   : "Nothing found for \u201c" + query + "\u201d";
    box.appendChild(head);
    var list = document.createElement("ol");
    hits.forEach(function (h) {
      var li = document.createElement("li"), a = document.createElement("a"), where = document.createElement("span");
      a.href = root + h.url;
      a.textContent = h.title;
      where.className = "sco-search-where";
      where.textContent = " \u2014 " + h.page + " (" + h.kind + ")";
      li.appendChild(a); li.appendChild(where);
      var d = docs[h.id];
      if (d) {
        var p = document.createElement("div");
        p.className = "sco-search-snippet";
        p.textContent = snippet(d.text, query);
        li.appendChild(p);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  function setupSearch(form) {
    var input = form.querySelector("input[type=search]"), box = form.querySelector(".sco-search-results");
    if (!input || !box) { return; }
    var timer = null;
    var root = form.getAttribute("data-root") || "";
    function run() { load(root, function () { show(form, box, input.value); }); }
    input.addEventListener("focus", function () { load(root, function () {}); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { box.hidden = true; }
      if (ev.key === "Enter") { ev.preventDefault(); clearTimeout(timer); run(); }
    });
    document.addEventListener("click", function (ev) {
      if (!form.contains(ev.target)) { box.hidden = true; }
    });
  }

  function setupMenu(button) {
    var nav = button.closest(".sco-nav");
    button.addEventListener("click", function () {
      var open = !nav.classList.contains("sco-open");
      nav.classList.toggle("sco-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  /* Table filters: <div class="sco-filters" data-target="ID"> with selects/inputs
   * named after the rows' data-* attributes ("q" filters on the row's text). */
  function setupFilters(form) {
    var target = document.getElementById(form.getAttribute("data-target"));
    if (!target) { return; }
    var rows = Array.prototype.slice.call(target.querySelectorAll("[data-row]"));
    var count = form.querySelector(".sco-filter-count");
    var controls = Array.prototype.slice.call(form.querySelectorAll("select, input"));
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = controls.every(function (c) {
          var v = c.value.trim().toLowerCase();
          if (!v) { return true; }
          if (c.name === "q") { return (row.getAttribute("data-text") || row.textContent).toLowerCase().indexOf(v) >= 0; }
          var have = (row.getAttribute("data-" + c.name) || "").toLowerCase().split(" ");
          return have.indexOf(v) >= 0;
        });
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) { count.textContent = shown + " of " + rows.length + " shown"; }
    }
    controls.forEach(function (c) { c.addEventListener("input", apply); c.addEventListener("change", apply); });
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("div.sco-search"), setupSearch);
    Array.prototype.forEach.call(document.querySelectorAll("button.sco-menu"), setupMenu);
    Array.prototype.forEach.call(document.querySelectorAll("div.sco-filters"), setupFilters);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
  window.SCO = { search: search, load: load };
})();
