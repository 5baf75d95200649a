// Site search over Pagefind's index (generator/search/). partials/rc-search.html loads this module when
// the reader opens search; nothing of it or of the index is downloaded before.
//
// Results come in two groups from one Pagefind search: tasks first, then bodies, places, documents
// and themes. The query and the filters live in the address (?q=…&level=province), so a search can
// be linked and the back button steps through it. Chinese is matched as overlapping pairs of
// characters, as generator/search/records.py indexed it.

const FILTERS = [["level", "Level", "Any level"], ["province", "Province", "Any province"],
  ["theme", "Theme", "Any theme"], ["year", "Year", "Any year"]];
const PARAMS = ["q"].concat(FILTERS.map((f) => f[0]));
const KIND_LABEL = { body: "Body", jurisdiction: "Place", document: "Document", theme: "Theme" };
const TERMS = "\u2042"; // where a record's search-only names start
const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
const HAS_CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const STEP = { task: 10, other: 5 };

let started = null;

export function start(root) {
  if (!started) started = init(new URL(root, location.href).href);
  return started;
}

async function init(root) {
  const ui = {
    root,
    dialog: document.getElementById("rc-search"),
    box: document.getElementById("rc-search-q"),
    filters: document.querySelector("#rc-search [data-rc-filters]"),
    results: document.querySelector("#rc-search [data-rc-results]"),
    status: document.getElementById("rc-search-status"),
    selects: {},
    seq: 0,
    shown: { task: STEP.task, other: STEP.other },
    last: null,
  };
  ui.status.textContent = "Loading search…";
  const [pagefind, about] = await Promise.all([
    import(root + "pagefind/pagefind.js"),
    fetch(root + "pagefind/site.json").then((r) => r.json()),
  ]);
  // Results' URLs from the site's root, which ui.root is prefixed to (the site may be in a folder).
  const options = { excerptLength: 0, baseUrl: "/" };
  await pagefind.options(options);
  pagefind.init();
  // The index is in parts (generator/search/records.py): the main one above, the others merged into it.
  await Promise.all(about.shards.map((name) => pagefind.mergeIndex(root + "pagefind/" + name + "/", options)));
  ui.pagefind = pagefind;
  ui.parts = about.shards.length > 0;
  buildFilters(ui, about.filters);
  wire(ui);
  applyAddress(ui, !ui.box.value);
  ui.status.textContent = "";
  remember(ui, false); // what was typed while this loaded
  run(ui);
  return ui;
}

function buildFilters(ui, labels) {
  for (const [key, label, any] of FILTERS) {
    const wrap = document.createElement("label");
    wrap.className = "rc-search__filter";
    wrap.append(label + " ");
    const select = document.createElement("select");
    select.name = key;
    select.add(new Option(any, ""));
    const parents = {};
    for (const [value, text, parent] of labels[key] || []) {
      if (key === "theme") parents[value] = text;
      select.add(new Option(parent ? "\u2003" + text : text, value));
    }
    wrap.append(select);
    ui.filters.append(wrap);
    ui.selects[key] = select;
  }
}

function wire(ui) {
  let timer = 0;
  ui.box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { remember(ui, false); run(ui); }, 40); // one search for a paste or an IME commit
  });
  for (const select of Object.values(ui.selects)) {
    select.addEventListener("change", () => { remember(ui, true); run(ui); });
  }
  ui.dialog.addEventListener("keydown", (e) => keys(ui, e));
  ui.dialog.addEventListener("rc-close", () => forget());
  ui.dialog.addEventListener("rc-open", () => { remember(ui, false); run(ui); });
  ui.dialog.addEventListener("click", (e) => {
    const more = e.target.closest("[data-rc-more]");
    if (more) {
      ui.shown[more.dataset.rcMore] += STEP[more.dataset.rcMore];
      run(ui, more.dataset.rcMore);
    }
  });
  window.addEventListener("popstate", () => {
    applyAddress(ui, true);
    if (new URLSearchParams(location.search).has("q")) {
      if (ui.dialog.hidden) window.rcSearch.open();
      run(ui);
    } else {
      window.rcSearch.close();
    }
  });
}

function keys(ui, e) {
  const links = Array.from(ui.results.querySelectorAll("a.rc-result"));
  const at = links.indexOf(document.activeElement);
  if (e.key === "ArrowDown" && (at >= 0 || e.target === ui.box) && links.length) {
    e.preventDefault();
    links[Math.min(at + 1, links.length - 1)].focus();
  } else if (e.key === "ArrowUp" && at >= 0) {
    e.preventDefault();
    (at === 0 ? ui.box : links[at - 1]).focus();
  } else if (e.key === "Enter" && e.target === ui.box && links.length) {
    e.preventDefault();
    links[0].click();
  }
}

// ---------------------------------------------------------------- the address

function current(ui) {
  const state = { q: ui.box.value.trim() };
  for (const [key, select] of Object.entries(ui.selects)) state[key] = select.value;
  return state;
}

function activeFilters(ui) {
  const out = {};
  for (const [key, select] of Object.entries(ui.selects)) if (select.value) out[key] = select.value;
  return out;
}

function addressFor(state) {
  const params = new URLSearchParams(location.search);
  for (const key of PARAMS) {
    if (state[key]) params.set(key, state[key]);
    else params.delete(key);
  }
  if (!state.q && PARAMS.some((key) => state[key])) params.set("q", ""); // ?q= marks a search
  const query = params.toString();
  return location.pathname + (query ? "?" + query : "") + location.hash;
}

// A new entry when search starts or a filter changes; typing replaces the entry it made.
function remember(ui, push) {
  const had = new URLSearchParams(location.search).has("q");
  const url = addressFor(current(ui));
  if (url === location.pathname + location.search + location.hash) return;
  if (push || !had) history.pushState({ rcSearch: true }, "", url);
  else history.replaceState(history.state, "", url);
}

function applyAddress(ui, setBox) {
  const params = new URLSearchParams(location.search);
  const searching = params.has("q"); // else ?level= is another page's own filter
  if (setBox) ui.box.value = params.get("q") || "";
  for (const [key, select] of Object.entries(ui.selects)) {
    const value = (searching && params.get(key)) || "";
    select.value = Array.from(select.options).some((o) => o.value === value) ? value : "";
  }
}

// Search closed: a new entry without the search, so the back button opens it again.
function forget() {
  if (new URLSearchParams(location.search).has("q")) {
    history.pushState(null, "", addressFor({}));
  }
}

// ---------------------------------------------------------------- searching

export function queryTerms(text) {
  return text.replace(CJK, (run) => " " + pairs(run).join(" ") + " ").replace(/\s+/g, " ").trim();
}

function pairs(run) {
  if (run.length < 2) return [run];
  const out = [];
  for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
  return out;
}

async function run(ui, only) {
  const seq = ++ui.seq;
  const state = current(ui);
  const filters = activeFilters(ui);
  if (!only) ui.shown = { task: STEP.task, other: STEP.other };
  if (!state.q && !Object.keys(filters).length) {
    ui.results.replaceChildren();
    ui.status.textContent = "";
    ui.dialog.dataset.rcState = "idle";
    return;
  }
  ui.dialog.dataset.rcState = "searching";
  const term = state.q ? queryTerms(state.q) : null;
  // One search fills both groups: a result's id says whether it is a task (generator/search/index.py names
  // each page "t…" or "o…"), so no filter index is fetched for the split.
  const all = await search(ui, term, filters);
  if (seq !== ui.seq) return;
  const tasks = { results: all.filter((r) => r.id.startsWith("t")) };
  const others = { results: all.filter((r) => !r.id.startsWith("t")) };
  const [taskData, otherData] = await Promise.all([
    Promise.all(tasks.results.slice(0, ui.shown.task).map((r) => r.data())),
    Promise.all(others.results.slice(0, ui.shown.other).map((r) => r.data())),
  ]);
  if (seq !== ui.seq) return;
  render(ui, state, words(state.q), [tasks.results.length, taskData], [others.results.length, otherData]);
  ui.dialog.dataset.rcState = "done";
}

// Pagefind leaves out of a search the words its index does not have. With the index in parts, a part that lacks
// one word of the query would answer for the others alone: its results stay only if it has each word the site
// has. Which parts have a word: a search for it filtered to no page counts, by part, the pages holding it, of
// which only each part's lexicon names its part (generator/search/records.py); its index chunks are the
// query's. A result's name says its part ("t3-…" is part s3's, a name without "-" the main part's) and
// whether it is a lexicon ("x…"), which is never shown (generator/search/index.py).
async function search(ui, term, filters) {
  const words = ui.parts && term && term.includes(" ") ? term.split(" ") : [];
  const [found, ...each] = await Promise.all([ui.pagefind.search(term, { filters }),
    ...words.map((word) => ui.pagefind.search(word, { filters: { part: "-" } }))]);
  const shown = found.results.filter((r) => !r.id.startsWith("x"));
  if (!words.length) return shown;
  const having = each.map((f) => (f.totalFilters && f.totalFilters.part) || {})
    .filter((counts) => Object.values(counts).some((n) => n > 0));
  const whole = (part) => having.every((counts) => counts[part] > 0);
  return shown.filter((r) => whole(partOf(r.id)));
}

function partOf(id) {
  const dash = id.indexOf("-");
  return dash < 0 ? "main" : "s" + id.slice(1, dash);
}

// ---------------------------------------------------------------- showing

function words(q) {
  const out = [];
  for (const part of (q || "").split(/\s+/)) {
    let rest = part.replace(CJK, (run) => { out.push(run); return " "; });
    for (const w of rest.split(/[^\p{L}\p{N}]+/u)) if (w) out.push(w.toLowerCase());
  }
  return out;
}

function render(ui, state, terms, [taskCount, tasks], [otherCount, others]) {
  const parts = [];
  if (taskCount) parts.push(group(ui, "task", "Tasks", taskCount, tasks, terms));
  if (otherCount) parts.push(group(ui, "other", "Bodies, places, documents and themes", otherCount, others, terms));
  ui.results.replaceChildren(...parts);
  const what = state.q ? `for \u201c${state.q}\u201d` : "";
  const narrowed = Object.keys(activeFilters(ui)).length ? " with these filters" : "";
  ui.status.textContent = taskCount + otherCount
    ? `${plural(taskCount, "task")} and ${plural(otherCount, "other page")} ${what}${narrowed}.`
    : `Nothing found ${what}${narrowed}. Try fewer words, part of a name, or another filter.`;
}

function plural(n, word) {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

function group(ui, kind, title, count, items, terms) {
  const section = document.createElement("section");
  section.className = "rc-search__group";
  const id = `rc-search-${kind}`;
  const heading = document.createElement("h2");
  heading.id = id;
  heading.textContent = `${title} (${count.toLocaleString("en")})`;
  const list = document.createElement("ol");
  list.setAttribute("aria-labelledby", id);
  for (const item of items) list.append(result(ui, item, terms));
  section.append(heading, list);
  if (count > items.length) {
    const more = document.createElement("button");
    more.type = "button";
    more.className = "md-button rc-search__more";
    more.dataset.rcMore = kind;
    more.textContent = `Show ${Math.min(STEP[kind], count - items.length)} more`;
    section.append(more);
  }
  return section;
}

function result(ui, item, terms) {
  const meta = item.meta || {};
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.className = "rc-result";
  a.href = ui.root + item.url.replace(/^\//, "");
  const title = document.createElement("span");
  title.className = "rc-result__title";
  title.innerHTML = mark(meta.title || item.url, terms);
  const line = document.createElement("span");
  line.className = "rc-result__meta";
  if (meta.kind !== "task") line.append(chip("rc-kind", KIND_LABEL[meta.kind] || meta.kind));
  if (meta.level && meta.level !== "Theme") {
    line.append(chip(`rc-level rc-level-${(meta.level.split(" ")[0] || "").toLowerCase()}`, meta.level));
  }
  // A document's label mostly begins with its place ("Feixi County · work plan"): the place once.
  const place = meta.doc && meta.place && meta.doc.startsWith(meta.place) ? "" : meta.place;
  line.append([place, meta.doc].filter(Boolean).join(" \u00b7 "));
  const text = document.createElement("span");
  text.className = "rc-result__text";
  text.innerHTML = snippet(item.content || "", meta.title || "", terms);
  a.append(title, line, text);
  li.append(a);
  return li;
}

function chip(className, text) {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text;
  return span;
}

// The sentence of the record that holds most of the query's words (the first one if none does),
// cut around the first of them when it is long.
export function snippet(content, title, terms) {
  let text = content.split(TERMS)[0].trim();
  if (title && text.startsWith(title)) text = text.slice(title.length).replace(/^[\s.]+/, "");
  const sentences = text.split(/(?<=[.!?\u3002])\s+/).filter((s) => s.trim());
  let best = sentences[0] || "", score = 0;
  for (const s of sentences) {
    const n = terms.filter((t) => matcher(t).test(s)).length;
    if (n > score) { best = s; score = n; }
  }
  return mark(fragment(shorten(best, terms)), terms);
}

// A quote that starts or stops mid-sentence shows that it does.
function fragment(text) {
  if (/^\p{Ll}/u.test(text)) text = "\u2026" + text;
  if (text && !/[.!?\u2026\u3002)\u201d]$/.test(text)) text = text.replace(/[,;:\s]+$/, "") + "\u2026";
  return text;
}

function shorten(sentence, terms, limit = 240) {
  if (sentence.length <= limit) return sentence;
  let at = 0;
  for (const t of terms) {
    const m = matcher(t).exec(sentence);
    if (m) { at = m.index; break; }
  }
  let from = Math.max(0, at - 60);
  if (from) from = sentence.indexOf(" ", from) + 1 || from;
  let to = Math.min(sentence.length, from + limit);
  if (to < sentence.length) to = sentence.lastIndexOf(" ", to) > from ? sentence.lastIndexOf(" ", to) : to;
  return (from ? "\u2026" : "") + sentence.slice(from, to) + (to < sentence.length ? "\u2026" : "");
}

function matcher(term) {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(HAS_CJK.test(term) ? escaped : `(?<![\\p{L}\\p{N}])${escaped}`, "iu");
}

function mark(text, terms) {
  const safe = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const usable = terms.filter(Boolean).sort((a, b) => b.length - a.length);
  if (!usable.length) return safe(text);
  const pattern = new RegExp(usable.map((t) => matcher(t).source).join("|"), "giu");
  let out = "", last = 0;
  for (const m of text.matchAll(pattern)) {
    if (!m[0]) continue;
    out += safe(text.slice(last, m.index)) + "<mark>" + safe(m[0]) + "</mark>";
    last = m.index + m[0].length;
  }
  return out + safe(text.slice(last));
}
