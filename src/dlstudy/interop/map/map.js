(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var topics = data.topics, N = topics.length;
  var NODE_W = data.node[0], NODE_H = data.node[1];
  var svg = document.getElementById("map");
  var viewport = document.getElementById("viewport");
  var nodeEls = new Array(N);
  Array.prototype.forEach.call(viewport.querySelectorAll("g.node"), function (el) {
    nodeEls[+el.getAttribute("data-i")] = el;
  });
  var edgeEls = Array.prototype.slice.call(viewport.querySelectorAll("path.edge"));
  var edgeA = edgeEls.map(function (e) { return +e.getAttribute("data-a"); });
  var edgeB = edgeEls.map(function (e) { return +e.getAttribute("data-b"); });
  var edgesOf = [];
  var unlocks = [];
  var i;
  for (i = 0; i < N; i++) { edgesOf.push([]); unlocks.push([]); }
  edgeEls.forEach(function (e, k) { edgesOf[edgeA[k]].push(k); edgesOf[edgeB[k]].push(k); });
  topics.forEach(function (t, k) { t.rq.forEach(function (p) { unlocks[p].push(k); }); });
  var visible = new Array(N).fill(true);

  // --- pan and zoom ---------------------------------------------------------------------------
  var view = { x: 0, y: 0, k: 1 };
  var frame = 0;
  var far = null;
  function draw() {
    frame = 0;
    if (far !== (view.k < 0.3)) {  // labels below 3.6 px cannot be read: skip drawing them
      far = view.k < 0.3;
      svg.classList.toggle("far", far);
    }
    viewport.setAttribute("transform", "translate(" + view.x.toFixed(1) + "," + view.y.toFixed(1) +
      ") scale(" + view.k.toFixed(4) + ")");
  }
  function redraw() { if (!frame) frame = requestAnimationFrame(draw); }
  function size() { var r = svg.getBoundingClientRect(); return { w: r.width || 800, h: r.height || 600 }; }
  function clampK(k) { return Math.max(0.04, Math.min(4, k)); }
  function zoomAt(factor, cx, cy) {
    var k = clampK(view.k * factor);
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    redraw();
  }
  function fitBox(x0, y0, x1, y1, maxK) {
    var s = size(), pad = 24;
    var k = clampK(Math.min((s.w - 2 * pad) / Math.max(1, x1 - x0), (s.h - 2 * pad) / Math.max(1, y1 - y0), maxK || 1.5));
    view.k = k;
    view.x = (s.w - (x1 - x0) * k) / 2 - x0 * k;
    view.y = (s.h - (y1 - y0) * k) / 2 - y0 * k;
    redraw();
  }
  function fit() {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, any = false;
    for (var j = 0; j < N; j++) {
      if (!visible[j]) continue;
      any = true;
      var t = topics[j];
      x0 = Math.min(x0, t.x); y0 = Math.min(y0, t.y);
      x1 = Math.max(x1, t.x + NODE_W); y1 = Math.max(y1, t.y + NODE_H);
    }
    if (!any) { x0 = 0; y0 = 0; x1 = data.size[0]; y1 = data.size[1]; }
    fitBox(x0, y0, x1, y1);
  }
  function centreOn(j, minK) {
    var s = size(), t = topics[j];
    if (minK && view.k < minK) view.k = minK;
    view.x = s.w / 2 - (t.x + NODE_W / 2) * view.k;
    view.y = s.h / 2 - (t.y + NODE_H / 2) * view.k;
    redraw();
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    var delta = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
    zoomAt(Math.exp(-delta * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (ev) {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false, id: ev.pointerId };
  });
  svg.addEventListener("pointermove", function (ev) {
    if (!drag || ev.pointerId !== drag.id) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 4) {
      drag.moved = true;
      svg.classList.add("dragging");
      try { svg.setPointerCapture(ev.pointerId); } catch (e) { /* pointer already gone */ }
    }
    if (drag.moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; redraw(); }
  });
  function endDrag(ev) {
    if (!drag) return;
    var moved = drag.moved;
    drag = null;
    svg.classList.remove("dragging");
    if (moved) return;
    var el = ev.target && ev.target.closest ? ev.target.closest("g.node") : null;
    if (el) select(+el.getAttribute("data-i"), false);
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", function () { drag = null; svg.classList.remove("dragging"); });
  function zoomButton(factor) { var s = size(); zoomAt(factor, s.w / 2, s.h / 2); }
  document.getElementById("zoom-in").addEventListener("click", function () { zoomButton(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomButton(0.8); });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.getElementById("zoom-reset").addEventListener("click", function () { zoomButton(1 / view.k); });
  window.addEventListener("resize", function () { redraw(); });

  // --- details panel --------------------------------------------------------------------------
  var panel = document.getElementById("details");
  var selected = -1;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function topicList(title, list) {
    var frag = document.createDocumentFragment();
    frag.appendChild(el("h4", null, title + " (" + list.length + ")"));
    if (!list.length) { frag.appendChild(el("p", "muted", "None.")); return frag; }
    var ul = el("ul");
    list.forEach(function (j) {
      var li = el("li");
      var b = el("button", "link", topics[j].t);
      b.type = "button";
      b.setAttribute("data-i", String(j));
      b.addEventListener("click", function () { select(j, true); });
      li.appendChild(b);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "badge s-" + topics[j].st, data.statusLabels[topics[j].st]));
      ul.appendChild(li);
    });
    frag.appendChild(ul);
    return frag;
  }
  function fact(dl, name, value) {
    dl.appendChild(el("dt", null, name));
    dl.appendChild(el("dd", null, value));
  }
  function showDetails(j) {
    var t = topics[j];
    panel.textContent = "";
    var close = el("button", "close", "Close");
    close.type = "button";
    close.setAttribute("aria-label", "Close details");
    close.addEventListener("click", clearSelection);
    panel.appendChild(close);
    panel.appendChild(el("h3", null, t.t));
    panel.appendChild(el("div", "tid", t.id));
    var badge = el("span", "badge s-" + t.st, data.statusLabels[t.st]);
    badge.id = "details-status";
    panel.appendChild(badge);
    var dl = el("dl");
    fact(dl, "Section", data.sections[t.s][1]);
    fact(dl, "Group", t.g);
    fact(dl, "What for", t.goal);
    if (t.lv) fact(dl, "Level", t.lv);
    if (t.tr.length) fact(dl, "Tracks", t.tr.join(", "));
    fact(dl, "Cards", t.c);
    fact(dl, "Mastery", t.m === null ? "no card answered yet" : Math.round(t.m * 100) + "% predicted recall");
    if (t.gp) fact(dl, "On the way", data.goal === j ? "this is your goal" : "on the path to your goal");
    if (t.ot) fact(dl, "Your track", "this topic is on it");
    panel.appendChild(dl);
    panel.appendChild(topicList("Prerequisites", t.rq));
    panel.appendChild(topicList("Unlocks", unlocks[j]));
    panel.appendChild(el("h4", null, "Search"));
    if (t.q.length) {
      var ul = el("ul");
      t.q.forEach(function (q) {
        var li = el("li"), a = el("a", null, q[0]);
        if (/^https?:\/\//i.test(q[1])) { a.href = q[1]; a.target = "_blank"; a.rel = "noopener noreferrer"; }
        li.appendChild(a);
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    } else {
      panel.appendChild(el("p", "muted", "No searches."));
    }
    panel.appendChild(el("h4", null, "Mark it"));
    panel.appendChild(el("code", null, "dlstudy start " + t.id));
    panel.appendChild(el("code", null, "dlstudy done " + t.id));
    panel.hidden = false;
    panel.scrollTop = 0;
  }
  function clearMarks() {
    nodeEls.forEach(function (n) { n.classList.remove("selected", "nb"); });
    edgeEls.forEach(function (e) { e.classList.remove("hl"); });
    svg.classList.remove("focus");
  }
  function select(j, centre) {
    clearMarks();
    selected = j;
    nodeEls[j].classList.add("selected");
    topics[j].rq.forEach(function (p) { nodeEls[p].classList.add("nb"); });
    unlocks[j].forEach(function (c) { nodeEls[c].classList.add("nb"); });
    edgesOf[j].forEach(function (k) { edgeEls[k].classList.add("hl"); });
    svg.classList.add("focus");
    showDetails(j);
    if (centre) {
      if (!visible[j]) { clearFilters(); }
      centreOn(j, 0.8);
    }
  }
  function clearSelection() {
    selected = -1;
    clearMarks();
    panel.hidden = true;
    panel.textContent = "";
  }

  // --- filters --------------------------------------------------------------------------------
  var fSection = document.getElementById("f-section");
  var fTrack = document.getElementById("f-track");
  var fLevel = document.getElementById("f-level");
  function options(select, list) {
    list.forEach(function (item) {
      var o = document.createElement("option");
      o.value = item[0];
      o.textContent = item[1];
      select.appendChild(o);
    });
  }
  options(fSection, data.sections.map(function (s, k) { return [String(k), s[1]]; }));
  options(fTrack, data.tracks.map(function (t) { return [t, t]; }));
  options(fLevel, data.levels.map(function (l) { return [l, l]; }));
  if (!data.tracks.length) fTrack.disabled = true;
  if (!data.levels.length) fLevel.disabled = true;
  var filterInfo = document.getElementById("filter-info");
  function applyFilters(refit) {
    var s = fSection.value, tr = fTrack.value, lv = fLevel.value, shown = 0;
    for (var j = 0; j < N; j++) {
      var t = topics[j];
      var ok = (s === "" || String(t.s) === s) && (tr === "" || t.tr.indexOf(tr) >= 0) && (lv === "" || t.lv === lv);
      visible[j] = ok;
      if (ok) shown++;
      nodeEls[j].classList.toggle("hidden", !ok);
    }
    for (var k = 0; k < edgeEls.length; k++) {
      edgeEls[k].classList.toggle("hidden", !(visible[edgeA[k]] && visible[edgeB[k]]));
    }
    filterInfo.textContent = shown === N ? "" : shown + " of " + N + " topics shown";
    if (selected >= 0 && !visible[selected]) clearSelection();
    if (search.value) runSearch(false);
    if (refit !== false) fit();
  }
  function clearFilters() {
    fSection.value = ""; fTrack.value = ""; fLevel.value = "";
    applyFilters(false);
  }
  [fSection, fTrack, fLevel].forEach(function (f) { f.addEventListener("change", applyFilters); });
  document.getElementById("f-clear").addEventListener("click", function () { clearFilters(); fit(); });

  // --- search ---------------------------------------------------------------------------------
  var search = document.getElementById("search");
  var searchInfo = document.getElementById("search-info");
  var matches = [], current = 0;
  var haystack = topics.map(function (t) { return (t.t + " " + t.id).toLowerCase(); });
  function runSearch(move) {
    var q = search.value.trim().toLowerCase();
    nodeEls.forEach(function (n) { n.classList.remove("match"); });
    matches = [];
    if (!q) { svg.classList.remove("searching"); searchInfo.textContent = ""; return; }
    var starts = [], rest = [];
    for (var j = 0; j < N; j++) {
      if (!visible[j]) continue;
      var idx = haystack[j].indexOf(q);
      if (idx === 0 || topics[j].id.toLowerCase() === q) starts.push(j);
      else if (idx > 0) rest.push(j);
    }
    matches = starts.concat(rest);
    matches.forEach(function (j) { nodeEls[j].classList.add("match"); });
    svg.classList.toggle("searching", true);
    if (!matches.length) { searchInfo.textContent = "no match"; return; }
    current = 0;
    searchInfo.textContent = matches.length === 1 ? "1 match" : "1 of " + matches.length + " (Enter for next)";
    if (move !== false) centreOn(matches[0], 0.9);
  }
  search.addEventListener("input", function () { runSearch(true); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && matches.length) {
      ev.preventDefault();
      if (ev.shiftKey) { select(matches[current], true); return; }
      current = (current + 1) % matches.length;
      searchInfo.textContent = (current + 1) + " of " + matches.length + " (Enter for next)";
      centreOn(matches[current], 0.9);
    } else if (ev.key === "Escape") {
      search.value = ""; runSearch(false);
    }
  });
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    if (ev.key === "/") { ev.preventDefault(); search.focus(); }
    else if (ev.key === "Escape") clearSelection();
    else if (ev.key === "+" || ev.key === "=") zoomButton(1.25);
    else if (ev.key === "-") zoomButton(0.8);
    else if (ev.key === "0") fit();
    else if (ev.key === "1") zoomButton(1 / view.k);
  });

  fit();
  draw();
  window.dlstudyMap = { select: select, fit: fit, view: view, applyFilters: applyFilters };
  window.mapReadyAt = performance.now();
  window.mapReady = true;
})();
