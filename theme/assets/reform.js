/* Reform Compare: small progressive enhancements. Every page works without them. */
(function () {
  "use strict";

  function text(el) { return (el.getAttribute("data-value") || el.textContent || "").trim(); }
  function make(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { el.append(c); });
    return el;
  }

  // Source page: light up every passage of the task named in the address (#q-<task>).
  function highlightSource() {
    var marks = document.querySelectorAll("a.rc-q");
    if (!marks.length) return;
    marks.forEach(function (m) { m.classList.remove("is-target"); });
    var match = /^#q-([a-z0-9-]+?)(--.*)?$/.exec(location.hash);
    if (!match) return;
    var renamed = document.getElementById("q-" + match[1]);  // an old id's anchor names the task's id now
    var task = renamed && renamed.getAttribute("data-task") || match[1];
    marks.forEach(function (m) {
      if ((" " + m.getAttribute("data-tasks") + " ").indexOf(" " + task + " ") >= 0) m.classList.add("is-target");
    });
  }

  // Task and document pages: the citation's access date is today; copy it, or the permanent link.
  function copyButtons() {
    var today = new Date();
    document.querySelectorAll(".rc-accessed").forEach(function (t) {
      t.textContent = today.toLocaleDateString("en-GB", {day: "numeric", month: "long", year: "numeric"});
    });
    document.querySelectorAll("button.rc-copy").forEach(function (button) {
      var label = button.getAttribute("data-label") || button.textContent;
      button.addEventListener("click", function () {
        var from = button.getAttribute("data-copy-from");
        var value = from ? document.getElementById(from).textContent.replace(/\s+/g, " ").trim() : button.getAttribute("data-copy");
        var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = label; }, 2000); };
        if (navigator.clipboard) navigator.clipboard.writeText(value).then(done, function () { window.prompt("Copy this:", value); });
        else window.prompt("Copy this:", value);
      });
    });
  }

  // Indicators page: filter by words, theme and level; sort by any column.
  function indicatorTable() {
    var table = document.getElementById("rc-indicators");
    if (!table) return;
    var panel = document.querySelector(".rc-filter");
    panel.hidden = false;
    var input = document.getElementById("rc-filter-text");
    var theme = document.getElementById("rc-filter-theme");
    var level = document.getElementById("rc-filter-level");
    var status = document.getElementById("rc-filter-status");
    var count = document.getElementById("rc-filter-count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var params = new URLSearchParams(location.search);
    // "filter", not "q": Material reads ?q= as a site-search query and opens its search over the page.
    input.value = params.get("filter") || "";
    theme.value = params.get("theme") || "";
    level.value = params.get("level") || "";
    status.value = params.get("deadline") || "";
    function apply() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var hay = row.textContent.toLowerCase();
        var ok = words.every(function (w) { return hay.indexOf(w) >= 0; }) &&
          (!theme.value || row.getAttribute("data-theme") === theme.value) &&
          (!level.value || row.getAttribute("data-level") === level.value) &&
          (!status.value || row.getAttribute("data-status") === status.value);
        row.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = shown + " of " + rows.length + " indicators";
      var p = new URLSearchParams();
      if (input.value) p.set("filter", input.value);
      if (theme.value) p.set("theme", theme.value);
      if (level.value) p.set("level", level.value);
      if (status.value) p.set("deadline", status.value);
      history.replaceState(null, "", location.pathname + (p.toString() ? "?" + p : "") + location.hash);
    }
    [input, theme, level, status].forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
    table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("th").forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var numeric = th.getAttribute("data-sort") === "number";
        rows.sort(function (a, b) {
          var x = text(a.cells[index]), y = text(b.cells[index]);
          var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
    apply();
  }

  // Compare page: two documents' tasks aligned by theme, the choice kept in the address.
  function comparePage() {
    var result = document.getElementById("rc-compare-result");
    if (!result) return;
    var base = result.getAttribute("data-site");
    var form = document.getElementById("rc-compare-form");
    var selA = document.getElementById("rc-compare-a"), selB = document.getElementById("rc-compare-b");
    function choose() {
      var params = new URLSearchParams(location.search);
      if (params.get("a")) selA.value = params.get("a");
      if (params.get("b")) selB.value = params.get("b");
      else if (params.get("a") && selB.value === selA.value) {  // ?a= alone: any other document, not itself
        var other = Array.prototype.find.call(selB.options, function (o) { return o.value !== selA.value; });
        if (other) selB.value = other.value;
      }
    }
    choose();
    // At scale the page lists national and provincial documents only, with an empty group per
    // province (data-region): each group gets its cities' and counties' documents here.
    function fillRegions(selects, docs, jurList) {
      var jurs = {};
      jurList.forEach(function (j) { jurs[j.id] = j; });
      function province(id) {  // as generator/pages.py overview_group: cities and counties roll up
        var j = jurs[id];
        while (j.level !== "national" && j.level !== "province" && j.parent) j = jurs[j.parent];
        return j.id;
      }
      function label(d) { return d.label; }  // as compare.md.j2
      var added = 0;
      selects.forEach(function (select) {
        var groups = {};
        select.querySelectorAll("optgroup[data-region]").forEach(function (g) { groups[g.getAttribute("data-region")] = g; });
        docs.forEach(function (d) {
          var p = province(d.jurisdiction);
          if (p === d.jurisdiction || !groups[p]) return;
          groups[p].append(make("option", {value: d.id}, [label(d)]));
          added++;
        });
      });
      return added;
    }
    var data = Promise.all(["data/tasks.json", "data/documents.json", "data/themes.json", "data/jurisdictions.json"].map(function (f) {
      return fetch(base + f).then(function (r) { return r.json(); });
    })).then(function (all) {
      if (fillRegions([selA, selB], all[1], all[3])) choose();  // the address may name a document listed only now
      return all;
    });
    function render() {
      data.then(function (all) {
        var tasks = all[0], docs = {}, themes = all[2], jurs = {};
        all[1].forEach(function (d) { docs[d.id] = d; });
        all[3].forEach(function (j) { jurs[j.id] = j; });
        var params = new URLSearchParams(location.search);
        var unknown = ["a", "b"].map(function (k) { return params.get(k); }).filter(function (id) { return id && !docs[id]; });
        if (unknown.length) {  // a mistyped or outdated link: say so rather than show nothing
          result.replaceChildren(make("p", {"class": "rc-muted", role: "status"}, ["No document has the id “" + unknown.join("” or “") + "”. Pick two documents from the lists above."]));
          return;
        }
        var a = docs[selA.value], b = docs[selB.value];
        if (!a || !b) return;
        if (a.id === b.id) {  // a document set against itself would show every task twice
          result.replaceChildren(make("p", {"class": "rc-empty", role: "status"}, ["Both lists name “" + a.label + "”. Pick a different second document to compare it with" + (a.follows && docs[a.follows] ? ", such as the one it follows, “" + docs[a.follows].label + "”." : ".")]));
          return;
        }
        var byTheme = {};
        tasks.forEach(function (t) {  // a task counts under every theme it has, as on the theme pages
          if (t.document !== a.id && t.document !== b.id) return;
          t.themes.forEach(function (key) {
            byTheme[key] = byTheme[key] || {a: [], b: []};
            if (t.document === a.id) byTheme[key].a.push(t);
            if (t.document === b.id) byTheme[key].b.push(t);
          });
        });
        function cell(list, doc) {
          var label = {"data-label": jurs[doc.jurisdiction].name};  // the card's heading on a phone
          if (!list.length) return make("td", label, [make("p", {"class": "rc-empty"}, [doc.source.excerpt ? "Nothing on this theme in the excerpt we hold." : "No commitment in this document."])]);
          var ul = make("ul");
          list.forEach(function (t) {
            var li = make("li", {}, [make("a", {href: base + "tasks/" + t.document + "/" + t.id + "/"}, [t.title])]);
            t.indicators.forEach(function (i) { li.append(" ", make("span", {"class": "rc-chip"}, [i.measure + ": " + i.value + (i.value_max !== null ? "–" + i.value_max : "") + " " + i.unit])); });
            ul.append(li);
          });
          return make("td", label, [ul]);
        }
        var head = make("tr", {}, [make("th", {scope: "col"}, ["Theme"]),
          make("th", {scope: "col"}, [make("a", {href: base + "documents/" + a.id + "/", title: a.title}, [a.label])]),
          make("th", {scope: "col"}, [make("a", {href: base + "documents/" + b.id + "/", title: b.title}, [b.label])])]);
        var body = make("tbody");
        var shared = 0;
        themes.forEach(function (th) {
          var row = byTheme[th.id];
          if (!row) return;
          if (row.a.length && row.b.length) shared++;
          body.append(make("tr", {"data-theme": th.id}, [make("th", {scope: "row"}, [make("a", {href: base + "themes/" + th.id + "/"}, [th.title])]), cell(row.a, a), cell(row.b, b)]));
        });
        var summary = make("p", {"class": "rc-muted", id: "rc-compare-summary"}, [shared + " themes on which both documents commit; " + body.rows.length + " themes in all."]);
        result.replaceChildren(summary, make("div", {"class": "rc-compare-wrap"}, [make("table", {"class": "rc-compare-2 rc-cards"}, [make("thead", {}, [head]), body])]));
      }).catch(function () {
        result.replaceChildren(make("p", {}, ["The data could not be loaded. Browse the theme pages instead."]));
      });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      history.pushState(null, "", location.pathname + "?a=" + encodeURIComponent(selA.value) + "&b=" + encodeURIComponent(selB.value));
      render();
    });
    window.addEventListener("popstate", function () {
      choose();
      render();
    });
    render();
  }

  // Material's search dialog has no accessible name; screen readers announce this one.
  function nameSearchDialog() {
    document.querySelectorAll(".md-search[role=dialog]").forEach(function (el) {
      if (!el.hasAttribute("aria-label")) el.setAttribute("aria-label", "Search the site");
    });
  }

  // The table of contents is folded above the text on phones, open in the sidebar on wider screens.
  function unfoldContents() {
    var wide = matchMedia("(min-width: 60em)");
    function set() { document.querySelectorAll("details.rc-toc").forEach(function (d) { d.open = wide.matches; }); }
    set();
    wide.addEventListener("change", set);
  }

  function start() {
    unfoldContents();
    nameSearchDialog();
    highlightSource();
    window.addEventListener("hashchange", highlightSource);
    copyButtons();
    indicatorTable();
    comparePage();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
