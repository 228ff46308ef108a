// botwatch account explorer: filter, sort and page through the accounts shipped as JSON.
// Every value from the data reaches the page through textContent or a checked href, never as
// HTML: handles, names and posts are written by whoever runs the accounts.
(function () {
  "use strict";
  var root = document.getElementById("bw-explorer");
  var src = document.getElementById("bw-explorer-data");
  if (!root || !src) { return; }
  var D = JSON.parse(src.textContent);
  var C = {};
  D.cols.forEach(function (c, i) { C[c] = i; });
  var PAGE = 50;
  var state = { q: "", minbot: 0, origin: "", cluster: "", key: "bot", dir: -1, page: 0, open: {} };
  var rows = D.rows;
  var view = rows.slice();
  var body = document.getElementById("ex-body");
  var status = document.getElementById("ex-status");
  var pager = document.getElementById("ex-pager");
  var pageLabel = document.getElementById("ex-page");
  var prevBtn = document.getElementById("ex-prev");
  var nextBtn = document.getElementById("ex-next");
  var NUMERIC = { bot: true, origin_p: true, posts: true, followers: true };
  var searchText = rows.map(function (r) {
    return ((r[C.handle] || "") + " " + (r[C.name] || "") + " " + (r[C.id] || "")).toLowerCase();
  });
  rows.forEach(function (r, i) { r.__i = i; });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function fmt(n) { return n === null || n === undefined ? "—" : Number(n).toLocaleString("en-GB"); }
  // A count with its noun, singular for one: an account's detail gave one post the plural noun.
  function counted(n, noun) { return fmt(n) + " " + noun + (n === 1 ? "" : "s"); }
  function isHttp(u) {
    if (typeof u !== "string") { return false; }
    try { var p = new URL(u); return p.protocol === "http:" || p.protocol === "https:"; } catch (e) { return false; }
  }
  // `x` at `digits` decimals, a tie rounded half away from zero on the number as written (its
  // shortest form, as Python's repr), as `prob_text.fixed` rounds. Why: toFixed rounds the binary
  // value, so 0.285 (0.28499... in binary) read "0.28" here where the report and `explain` read
  // "0.29". The digits are cut from the text, so no binary product moves a tie.
  function fixed(x, digits) {
    var s = String(Math.abs(x));
    if (!isFinite(x) || s.indexOf("e") >= 0) { return x.toFixed(digits); }  // far from any tie at these decimals
    var parts = s.split("."), frac = (parts[1] || "") + "0".repeat(digits + 1);
    var n = Number(parts[0] + frac.slice(0, digits)) + (frac.charAt(digits) >= "5" ? 1 : 0);
    var t = String(n).padStart(digits + 1, "0");
    return (x < 0 ? "-" : "") + (digits > 0 ? t.slice(0, t.length - digits) + "." + t.slice(t.length - digits) : t);
  }
  // A probability at two decimals, never read as certainty: ">0.99" from 0.995, "<0.01" below
  // 0.005 but above 0 (botwatch/prob_text.py, the same rule for the evidence sentences).
  function p2(p) {
    if (p >= 0.995) { return ">0.99"; }
    if (p > 0 && p < 0.005) { return "<0.01"; }
    return fixed(p, 2);
  }
  function prob(p) {
    if (p === null || p === undefined) { return el("span", "—", "muted"); }
    var wrap = el("span", null, "prob");
    wrap.appendChild(el("span", p2(p), "prob-num"));
    var bar = el("span", null, "prob-bar");
    bar.setAttribute("aria-hidden", "true");
    var fill = el("span");
    fill.style.width = Math.round(p * 100) + "%";
    bar.appendChild(fill);
    wrap.appendChild(bar);
    return wrap;
  }

  function trainedMark(td) {
    td.appendChild(el("br"));
    td.appendChild(el("small", "a training account: not held out"));
  }

  function matches(r) {
    if (state.q && searchText[r.__i].indexOf(state.q) < 0) { return false; }
    if (state.minbot > 0 && !(r[C.bot] !== null && r[C.bot] >= state.minbot)) { return false; }
    if (state.origin === "!home") {
      if (!(r[C.p_out] >= 0.5)) { return false; }  // the report's rule: P(outside home) >= 0.5
    } else if (state.origin && r[C.origin] !== state.origin) { return false; }
    if (state.cluster === "in" && r[C.cluster] === null) { return false; }
    if (state.cluster === "out" && r[C.cluster] !== null) { return false; }
    if (state.cluster.charAt(0) === "=" && r[C.cluster] !== state.cluster.slice(1)) { return false; }
    return true;
  }

  // Text columns sort on lower-cased keys computed once per column: a locale collator is ~10x
  // slower, which is a second and more for 100k handles.
  var textKeys = {};
  function textKey(key) {
    if (!textKeys[key]) {
      var k = C[key];
      textKeys[key] = rows.map(function (r) { return r[k] === null || r[k] === undefined ? "" : String(r[k]).toLowerCase(); });
    }
    return textKeys[key];
  }
  function compare(a, b) {
    var k = C[state.key], x = a[k], y = b[k];
    if (x === null || x === undefined || x === "") { return (y === null || y === undefined || y === "") ? a.__i - b.__i : 1; }
    if (y === null || y === undefined || y === "") { return -1; }
    var c;
    if (NUMERIC[state.key]) { c = x - y; } else {
      var keys = textKey(state.key), p = keys[a.__i], q = keys[b.__i];
      c = p < q ? -1 : (p > q ? 1 : 0);
    }
    return c === 0 ? a.__i - b.__i : c * state.dir;
  }

  // Sorting 100k rows costs far more than filtering them, so the sorted order is kept and only
  // recomputed when the sort changes; filters then keep that order.
  var sorted = null, sortedBy = "";
  function refresh() {
    var by = state.key + ":" + state.dir;
    if (sorted === null || sortedBy !== by) { sorted = rows.slice().sort(compare); sortedBy = by; }
    view = (state.q || state.minbot > 0 || state.origin || state.cluster) ? sorted.filter(matches) : sorted;
    var pages = Math.max(1, Math.ceil(view.length / PAGE));
    if (state.page >= pages) { state.page = pages - 1; }
    draw(pages);
  }

  // The evidence under an account's row on paper only (report.css hides tr.ex-print-evidence on
  // screen once the explorer is live): the static page carried these rows, but drawing the rows
  // anew dropped them, so a printed or PDF copy from a browser running this script gave each
  // probability without its why.
  function printRow(r) {
    var tr = el("tr", null, "ex-print-evidence");
    var td = el("td");
    td.colSpan = 6;
    var ul = el("ul");
    (r[C.ev] || []).forEach(function (i) { ul.appendChild(el("li", D.ev[i])); });
    td.appendChild(ul);
    tr.appendChild(td);
    return tr;
  }

  function detailRow(r) {
    var tr = el("tr", null, "ex-detail");
    var td = el("td");
    td.colSpan = 6;
    var ev = r[C.ev] || [];
    // As the row's button: an account without a handle is "id N" (a Bluesky DID read "@did:plc:…").
    td.appendChild(el("h3", "Evidence for " + (r[C.handle] ? "@" + r[C.handle] : "id " + r[C.id])));
    if (ev.length) {
      var ul = el("ul", null, "evidence");
      ev.forEach(function (i) { ul.appendChild(el("li", D.ev[i])); });
      td.appendChild(ul);
    } else {
      td.appendChild(el("p", "No evidence sentences were recorded for this account.", "muted"));
    }
    var facts = [];
    if (r[C.cluster] !== null) { facts.push("Member of coordinated cluster " + r[C.cluster] + "."); }
    if (r[C.origin]) { facts.push("Most likely origin " + r[C.origin] + " (probability " + (r[C.origin_p] === null ? "?" : p2(r[C.origin_p])) + ")."); }
    // A platform the origin model never saw (report/caveats.py `other_platform_origin_account`, as `explain` says it).
    if (r[C.origin] && (D.origin_unseen || {})[r[C.platform]]) { facts.push(D.origin_unseen[r[C.platform]]); }
    // Few posts: what the validation measured at that many (origin_few_posts.py, as `explain` says it).
    (D.few || []).forEach(function (b) {
      if (r[C.origin] && r[C.posts] >= b[0] && r[C.posts] <= b[1]) {
        facts.push("Based on " + r[C.posts] + " post" + (r[C.posts] === 1 ? "" : "s") + " only, little to go on: " + b[2]);
      }
    });
    if (r[C.created]) { facts.push("Account created " + r[C.created] + "."); }
    if (r[C.followers] !== null) { facts.push(counted(r[C.followers], "follower") + " when last seen."); }
    facts.push(counted(r[C.posts], "post") + " in this study; platform " + r[C.platform] + ", id " + r[C.id] + ".");
    td.appendChild(el("p", facts.join(" ")));
    var d = r[C.detail] >= 0 ? D.details[r[C.detail]] : null;
    if (d) {
      var dl = el("dl", null, "profile");
      [["Description", d.description], ["Location", d.location], ["Account language", d.lang]].forEach(function (kv) {
        if (kv[1]) { dl.appendChild(el("dt", kv[0])); dl.appendChild(el("dd", kv[1])); }
      });
      if (dl.childNodes.length) { td.appendChild(dl); }
      if (d.posts.length) {
        td.appendChild(el("h4", "Latest posts in the study"));
        var ol = el("ol", null, "posts");
        d.posts.forEach(function (p) {
          var li = el("li");
          li.appendChild(el("span", p.at + " UTC · " + p.kind + (p.ref ? " of @" + p.ref : "") + ": ", "muted"));
          li.appendChild(el("bdi", p.text));
          (p.urls || []).forEach(function (u) {
            li.appendChild(document.createTextNode(" "));
            if (u.href && isHttp(u.href)) {
              var a = el("a", u.u);
              a.href = u.href;
              a.rel = "noopener noreferrer nofollow";
              a.target = "_blank";
              li.appendChild(a);
            } else {
              li.appendChild(el("code", u.u + " (not a web link)"));
            }
          });
          ol.appendChild(li);
        });
        td.appendChild(ol);
      }
      if (d.profile && isHttp(d.profile)) {
        var pa = el("a", "Profile on the platform (may be suspended)");
        pa.href = d.profile;
        pa.rel = "noopener noreferrer nofollow";
        pa.target = "_blank";
        td.appendChild(el("p")).appendChild(pa);
      }
    } else {
      td.appendChild(el("p", "Profile text and posts are shown for the " + D.details.length + " accounts at the top of the default order; this one is in the exports.", "muted"));
    }
    tr.appendChild(td);
    return tr;
  }

  function draw(pages) {
    var start = state.page * PAGE;
    var slice = view.slice(start, start + PAGE);
    var frag = document.createDocumentFragment();
    slice.forEach(function (r) {
      var tr = el("tr");
      var th = el("td");
      var btn = el("button", null, "ex-handle");
      btn.type = "button";
      // No handle: the id, said to be one ("@379851447" is another account's handle if anyone's).
      btn.appendChild(el("bdi", r[C.handle] ? "@" + r[C.handle] : "id " + r[C.id]));
      var open = !!state.open[r.__i];
      btn.setAttribute("aria-expanded", open ? "true" : "false");
      btn.setAttribute("data-row", String(r.__i));
      btn.addEventListener("click", function () {
        if (state.open[r.__i]) { delete state.open[r.__i]; } else { state.open[r.__i] = true; }
        draw(pages);
        // The rows were drawn anew: keep the keyboard on this account's button, not back at the
        // top of the page.
        var again = body.querySelector('button.ex-handle[data-row="' + r.__i + '"]');
        if (again) { again.focus(); }
      });
      th.appendChild(btn);
      tr.appendChild(th);
      var nm = el("td");
      nm.appendChild(el("bdi", r[C.name] || ""));
      tr.appendChild(nm);
      var pb = el("td", null, "num");
      pb.appendChild(prob(r[C.bot]));
      // A model fitted on this account (1 bot, 2 origin): its figure is not a held-out estimate.
      if (r[C.bot] !== null && (r[C.trained] & 1)) { trainedMark(pb); }
      tr.appendChild(pb);
      var og = el("td");
      if (r[C.origin]) {
        og.textContent = r[C.origin] + " (" + (r[C.origin_p] === null ? "?" : p2(r[C.origin_p])) + ")";
        if (r[C.trained] & 2) { trainedMark(og); }
      } else { og.appendChild(el("span", "—", "muted")); }
      tr.appendChild(og);
      var cl = el("td");
      if (r[C.cluster] === null) { cl.textContent = "—"; } else {
        var cb = el("button", r[C.cluster], "ex-cluster-btn");
        cb.type = "button";
        cb.title = "Show only the accounts of this cluster";
        // The visible number alone named the button "3": its name says what it is.
        var size = (D.cluster_sizes || {})[r[C.cluster]];
        cb.setAttribute("aria-label", "cluster " + r[C.cluster] + (size === undefined ? "" : ", " + fmt(size) + (size === 1 ? " account" : " accounts")));
        cb.addEventListener("click", function () { showCluster(r[C.cluster]); });
        cl.appendChild(cb);
      }
      tr.appendChild(cl);
      tr.appendChild(el("td", fmt(r[C.posts]), "num"));
      // Column names travel with the cells so the phone layout (cards) can print them.
      var names = ["Handle", "Display name", "Automation probability", "Most likely origin", "Cluster", "Posts"];
      for (var c = 0; c < tr.children.length; c++) { tr.children[c].setAttribute("data-label", names[c]); }
      frag.appendChild(tr);
      if (open) { frag.appendChild(detailRow(r)); } else if ((r[C.ev] || []).length) { frag.appendChild(printRow(r)); }
    });
    body.replaceChildren(frag);
    var shown = view.length ? (start + 1) + "–" + (start + slice.length) : "0";
    status.textContent = "Showing " + shown + " of " + fmt(view.length) + (view.length === 1 ? " matching account (" : " matching accounts (") + fmt(rows.length) + " in the page).";
    pager.hidden = pages <= 1;
    pageLabel.textContent = "Page " + (state.page + 1) + " of " + pages;
    prevBtn.disabled = state.page === 0;
    nextBtn.disabled = state.page >= pages - 1;
  }

  // Sortable headers: a button inside each th, aria-sort on the th, an arrow in text (not colour).
  var ths = root.querySelectorAll("thead th[data-key]");
  function label() {
    ths.forEach(function (th) {
      var b = th.querySelector("button");
      var on = th.getAttribute("data-key") === state.key;
      th.setAttribute("aria-sort", on ? (state.dir > 0 ? "ascending" : "descending") : "none");
      b.querySelector(".arrow").textContent = on ? (state.dir > 0 ? " ▲" : " ▼") : "";
    });
  }
  ths.forEach(function (th) {
    var b = el("button", th.textContent, "ex-sort");
    b.type = "button";
    b.appendChild(el("span", "", "arrow"));
    th.textContent = "";
    th.appendChild(b);
    b.addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      if (state.key === key) { state.dir = -state.dir; } else { state.key = key; state.dir = NUMERIC[key] ? -1 : 1; }
      state.page = 0;
      label();
      syncSortSelect();
      refresh();
    });
  });

  var clusterSel = document.getElementById("ex-cluster");
  function showCluster(id) {
    var value = "=" + id;
    var found = false;
    for (var i = 0; i < clusterSel.options.length; i++) { if (clusterSel.options[i].value === value) { found = true; } }
    if (!found) {
      var o = el("option", "cluster " + id);
      o.value = value;
      clusterSel.appendChild(o);
    }
    clusterSel.value = value;
    onFilter();
    status.focus();
  }
  status.tabIndex = -1;

  var sortSel = document.getElementById("ex-sort");
  function syncSortSelect() {
    var v = state.key + ":" + state.dir;
    var ok = false;
    for (var i = 0; i < sortSel.options.length; i++) { if (sortSel.options[i].value === v) { ok = true; } }
    sortSel.value = ok ? v : "";
  }
  sortSel.addEventListener("change", function (e) {
    e.stopPropagation();
    var parts = sortSel.value.split(":");
    if (!C.hasOwnProperty(parts[0])) { return; }
    state.key = parts[0];
    state.dir = parseInt(parts[1], 10) || -1;
    state.page = 0;
    label();
    refresh();
  });

  var timer = null;
  var lastSig = null;
  function onFilter() {
    state.q = document.getElementById("ex-q").value.trim().toLowerCase();
    var m = parseFloat(document.getElementById("ex-minbot").value);
    state.minbot = isNaN(m) ? 0 : m;
    state.origin = document.getElementById("ex-origin").value;
    state.cluster = document.getElementById("ex-cluster").value;
    // Input events are debounced and change events repeat them: only a real change of the
    // filters sends the reader back to the first page.
    var sig = [state.q, state.minbot, state.origin, state.cluster].join("\u0000");
    if (sig === lastSig) { return; }
    lastSig = sig;
    state.page = 0;
    refresh();
  }
  var form = document.getElementById("ex-form");
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(onFilter, 120); });
  form.addEventListener("change", onFilter);
  form.addEventListener("submit", function (e) { e.preventDefault(); onFilter(); });
  form.addEventListener("reset", function () { setTimeout(function () { onFilter(); syncSortSelect(); }, 0); });
  // A pager button disabled under the keyboard (first or last page) would drop the focus to the
  // page's start: it moves to the other button instead.
  function turn(step, pressed, other) {
    state.page = Math.max(0, state.page + step);
    refresh();
    if (pressed.disabled && !other.disabled) { other.focus(); }
  }
  prevBtn.addEventListener("click", function () { turn(-1, prevBtn, nextBtn); });
  nextBtn.addEventListener("click", function () { turn(1, nextBtn, prevBtn); });
  // Other sections link into the explorer: #explorer?q=TEXT or #explorer?cluster=ID (see
  // section_explorer.explorer_href). The values only ever become filter text.
  function fromHash() {
    var h = window.location.hash;
    if (h.indexOf("#explorer?") !== 0) { return; }
    var p = new URLSearchParams(h.slice("#explorer?".length));
    var q = document.getElementById("ex-q");
    q.value = p.get("q") || "";
    if (p.get("cluster")) { showCluster(p.get("cluster")); } else { clusterSel.value = ""; onFilter(); }
    if (p.get("open") === "1" && view.length) { state.open[view[0].__i] = true; refresh(); }
    root.scrollIntoView();
  }
  window.addEventListener("hashchange", fromHash);
  root.classList.add("ex-live");
  label();
  refresh();
  fromHash();
}());
