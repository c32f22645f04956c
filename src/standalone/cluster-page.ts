// The live cluster page served at GET / on every node's HTTP port: one HTML document with its style
// and script inline, no framework, no build step of its own (esbuild bundles this string). The
// script polls GET /cluster on the node that served it (one origin), several times a second, and
// draws the members, replication, links and a scrolling election timeline. Term colours are those
// of the bench's elections.svg (maelstrom/report/elections-chart.ts).
//
// Written with String.raw so the script's backslashes stay as they are; it uses no backticks and
// no template placeholders of its own.
export const CLUSTER_PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Raft cluster</title>
<style>
  :root { --fg: #1d232a; --muted: #66707a; --line: #dde2e7; --bg: #f6f7f9; --card: #fff; --leader: #0072B2; --down: #D55E00; --ok: #009E73; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; }
  header .meta { color: var(--muted); font-size: 13px; }
  #summary { margin-left: auto; font-weight: 600; }
  #summary.bad { color: var(--down); }
  main { display: grid; grid-template-columns: minmax(520px, 3fr) minmax(300px, 2fr); gap: 16px; padding: 16px 24px; }
  section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { font-weight: 600; color: var(--muted); font-size: 12px; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.down td { color: var(--muted); }
  .badge { display: inline-block; min-width: 74px; text-align: center; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #e9edf1; color: var(--fg); }
  .badge.leader { background: var(--leader); color: #fff; }
  .badge.candidate, .badge.precandidate { background: #E69F00; color: #fff; }
  .badge.down { background: var(--down); color: #fff; }
  .you { color: var(--muted); font-size: 12px; }
  button { font: inherit; padding: 4px 12px; border: 1px solid #b9c2cb; background: #fff; border-radius: 6px; cursor: pointer; }
  button:hover:not(:disabled) { background: #eef3f8; }
  button:disabled { color: #a0a8b0; cursor: default; }
  button.primary { background: var(--leader); border-color: var(--leader); color: #fff; }
  button.primary:hover:not(:disabled) { background: #005d91; border-color: #005d91; }
  button.primary:disabled { background: #9ab8cf; border-color: #9ab8cf; color: #fff; }
  .bar { position: relative; height: 18px; background: #eef1f4; border-radius: 4px; overflow: hidden; }
  .bar > div { height: 100%; background: var(--ok); }
  .bar > span { position: absolute; inset: 0; font-size: 12px; line-height: 18px; padding-left: 8px; font-variant-numeric: tabular-nums; }
  .rep { display: grid; grid-template-columns: 70px 1fr; gap: 8px; align-items: center; margin: 6px 0; }
  .links td { text-align: center; }
  .link-up { color: var(--ok); font-weight: 700; }
  .link-down { color: var(--down); font-weight: 700; }
  .controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
  input { font: inherit; padding: 4px 8px; border: 1px solid #b9c2cb; border-radius: 6px; width: 130px; }
  #result { color: var(--muted); font-size: 13px; min-height: 20px; word-break: break-word; }
  #result.error { color: var(--down); }
  #timeline { width: 100%; height: 150px; display: block; }
  .legend { display: flex; gap: 14px; color: var(--muted); font-size: 12px; margin-top: 6px; }
  .legend i { display: inline-block; width: 18px; height: 10px; border-radius: 2px; vertical-align: middle; margin-right: 4px; }
  .note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
  .note code { white-space: nowrap; }
</style>
</head>
<body>
<header>
  <h1>Raft cluster</h1>
  <span class="meta">page served by node <b id="served-by">?</b> &middot; updated <span id="updated">never</span></span>
  <span id="summary">connecting&hellip;</span>
</header>
<main>
  <section>
    <h2>Members</h2>
    <table id="members">
      <thead><tr><th>node</th><th>role</th><th class="num">term</th><th>leader</th><th class="num">commit</th><th class="num">applied</th><th class="num">last log</th><th></th></tr></thead>
      <tbody></tbody>
    </table>
    <p class="note" id="stop-note">Stop sends the node SIGTERM: a leader hands leadership over first. It is off on nodes started without <code>--allow-admin-stop</code>.</p>
  </section>
  <section>
    <h2>Try it</h2>
    <div class="controls">
      <button id="transfer" class="primary" disabled>Transfer leadership</button>
    </div>
    <div class="controls">
      <input id="key" value="greeting" aria-label="key">
      <input id="value" value="&quot;hello&quot;" aria-label="value (JSON, or a string)">
      <button id="write">Write key</button>
    </div>
    <div id="result"></div>
  </section>
  <section>
    <h2>Replication (leader's match index per follower)</h2>
    <div id="replication"></div>
  </section>
  <section>
    <h2>Links (row dials column)</h2>
    <table class="links" id="links"></table>
  </section>
  <section class="wide">
    <h2>Elections (since this page opened, last 60 s at most)</h2>
    <canvas id="timeline"></canvas>
    <div class="legend"><span><i style="background:#0072B2"></i>leader (colour = term)</span><span><i style="background:#c9d1d9;height:4px"></i>follower</span><span><i style="background:#E69F00"></i>campaigning</span><span><i style="background:#F0E442"></i>down / unreachable</span><span>&#9474; term change</span></div>
  </section>
</main>
<script>
"use strict";
var POLL_MS = 200;
var WINDOW_MS = 60000;
var MIN_WINDOW_MS = 10000;
var openedAt = Date.now();
var TERM_COLOURS = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#E69F00"];
var view = null;
var lanes = {};   // node id -> [{t, up, role, term}]
var order = [];
var busy = false;

function $(id) { return document.getElementById(id); }
function termColour(term) { return TERM_COLOURS[((term % 6) + 6) % 6]; }
function text(s) { return document.createTextNode(s == null ? "" : String(s)); }
function el(tag, attrs, children) {
  var e = document.createElement(tag);
  if (attrs) for (var k in attrs) { if (k === "class") e.className = attrs[k]; else e.setAttribute(k, attrs[k]); }
  (children || []).forEach(function (c) { e.appendChild(typeof c === "string" || typeof c === "number" ? text(c) : c); });
  return e;
}
function leaderOf(v) {
  var leaders = v.members.filter(function (m) { return m.up && m.status.state === "leader"; });
  if (leaders.length === 0) return null;
  leaders.sort(function (a, b) { return b.status.term - a.status.term; });
  return leaders[0];
}
function say(msg, isError) { var r = $("result"); r.textContent = msg; r.className = isError ? "error" : ""; }

function poll() {
  fetch("/cluster", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (v) {
    view = v;
    record(v);
    render(v);
  }).catch(function (err) {
    $("summary").textContent = "node " + ($("served-by").textContent) + " is not answering (" + err.message + ")";
    $("summary").className = "bad";
  }).then(function () { setTimeout(poll, POLL_MS); });
}

function record(v) {
  var now = Date.now();
  v.members.forEach(function (m) {
    if (order.indexOf(m.id) < 0) { order.push(m.id); order.sort(function (a, b) { return a.localeCompare(b, "en", { numeric: true }); }); }
    var h = lanes[m.id] || (lanes[m.id] = []);
    h.push({ t: now, up: m.up, role: m.up ? m.status.state : "down", term: m.up ? m.status.term : null });
    while (h.length > 2 && h[1].t < now - WINDOW_MS) h.shift();
  });
}

function render(v) {
  $("served-by").textContent = v.servedBy;
  $("updated").textContent = new Date(v.at).toLocaleTimeString();
  var leader = leaderOf(v);
  var down = v.members.filter(function (m) { return !m.up; }).map(function (m) { return m.id; });
  var summary = leader ? "leader: node " + leader.id + " (term " + leader.status.term + ")" : "no leader";
  if (down.length) summary += " \u00b7 down: " + down.map(function (id) { return "node " + id; }).join(", ");
  $("summary").textContent = summary;
  $("summary").className = leader ? "" : "bad";
  renderMembers(v, leader);
  renderReplication(v, leader);
  renderLinks(v);
  drawTimeline();
  $("transfer").disabled = !leader;
  $("transfer").dataset.leader = leader ? leader.id : "";
}

function renderMembers(v, leader) {
  var body = $("members").tBodies[0];
  body.textContent = "";
  v.members.forEach(function (m) {
    var s = m.up ? m.status : null;
    var role = s ? s.state : "down";
    var stop = el("button", { "class": "stop", "data-member": m.id }, ["Stop"]);
    stop.disabled = !m.up || s.adminStop === false;
    if (m.up && s.adminStop === false) stop.title = "node " + m.id + " was started without --allow-admin-stop";
    stop.onclick = function () { stopNode(m.id); };
    var name = el("td", null, [el("b", null, ["node " + m.id])]);
    if (m.id === v.servedBy) name.appendChild(el("span", { "class": "you" }, [" (this page)"]));
    var tr = el("tr", { "data-member": m.id, "data-role": role, "data-up": String(m.up), "class": m.up ? "" : "down" }, [
      name,
      el("td", null, [el("span", { "class": "badge " + role }, [role === "down" ? "down" : role])]),
      el("td", { "class": "num" }, [s ? s.term : "\u2013"]),
      el("td", m.up ? null : { title: m.error || "" }, [s ? (s.leader == null ? "none" : "node " + s.leader) : "unreachable"]),
      el("td", { "class": "num" }, [s ? s.commitIndex : "\u2013"]),
      el("td", { "class": "num" }, [s ? (s.appliedIndex == null ? "?" : s.appliedIndex) : "\u2013"]),
      el("td", { "class": "num" }, [s ? s.lastLogIndex : "\u2013"]),
      el("td", null, [stop])
    ]);
    body.appendChild(tr);
  });
}

function renderReplication(v, leader) {
  var box = $("replication");
  box.textContent = "";
  if (!leader) { box.appendChild(el("p", { "class": "note" }, ["No leader: nobody is replicating."])); return; }
  var last = leader.status.lastLogIndex;
  var rows = [{ id: leader.id, match: last, self: true }];
  var downIds = v.members.filter(function (m) { return !m.up; }).map(function (m) { return m.id; });
  (leader.status.matchIndex || []).forEach(function (p) { rows.push({ id: p.id, match: p.matchIndex, down: downIds.indexOf(p.id) >= 0 }); });
  rows.forEach(function (r) {
    var pct = last > 0 ? Math.max(0, Math.min(100, 100 * r.match / last)) : 100;
    var label = r.match + " / " + last + (r.self ? " (leader)" : last - r.match > 0 ? " (" + (last - r.match) + " behind)" : "") + (r.down ? " · down" : "");
    box.appendChild(el("div", { "class": "rep", "data-member": r.id }, [
      el("span", null, ["node " + r.id]),
      el("div", { "class": "bar" }, [el("div", { style: "width:" + pct.toFixed(1) + "%;background:" + (r.self ? termColour(leader.status.term) : r.down ? "#c9d1d9" : "#009E73") }), el("span", null, [label])])
    ]));
  });
}

function renderLinks(v) {
  var table = $("links");
  table.textContent = "";
  var ids = v.members.map(function (m) { return m.id; });
  table.appendChild(el("tr", null, [el("th")].concat(ids.map(function (id) { return el("th", null, ["\u2192 " + id]); }))));
  v.members.forEach(function (m) {
    var cells = [el("th", null, ["node " + m.id])];
    ids.forEach(function (to) {
      if (to === m.id) { cells.push(el("td", null, ["\u00b7"])); return; }
      if (!m.up) { cells.push(el("td", { "class": "link-down", title: "node " + m.id + " is down" }, ["?"])); return; }
      var peer = (m.status.peers || []).filter(function (p) { return p.id === to; })[0];
      var up = peer && peer.connected;
      cells.push(el("td", { "class": up ? "link-up" : "link-down", title: up ? "connected" : "not connected" }, [up ? "\u2713" : "\u2717"]));
    });
    table.appendChild(el("tr", { "data-member": m.id }, cells));
  });
}

function drawTimeline() {
  var canvas = $("timeline");
  var dpr = window.devicePixelRatio || 1;
  var w = canvas.clientWidth, laneH = 30, top = 8, left = 70, right = 12;
  var h = top + order.length * laneH + 22;
  canvas.style.height = h + "px";
  canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  var g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  // The window grows from 10 s as the page stays open, up to 60 s, so a fresh page is not empty.
  var now = Date.now();
  var span = Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, now - openedAt));
  var from = now - span;
  var x = function (t) { return left + (w - left - right) * (t - from) / span; };
  g.font = "12px system-ui, sans-serif"; g.textBaseline = "middle";
  // time axis: ticks every 10 s (every 2 s while the window is short)
  g.fillStyle = "#66707a"; g.strokeStyle = "#eef1f4";
  var step = span > 30000 ? 10 : span > 12000 ? 5 : 2;
  for (var s = 0; s * 1000 <= span; s += step) {
    var tx = x(now - s * 1000);
    g.beginPath(); g.moveTo(tx, top); g.lineTo(tx, top + order.length * laneH); g.stroke();
    g.fillText(s === 0 ? "now" : "-" + s + " s", tx - (s === 0 ? 10 : 14), top + order.length * laneH + 12);
  }
  order.forEach(function (id, lane) {
    var y = top + lane * laneH + laneH / 2;
    g.fillStyle = "#1d232a"; g.fillText("node " + id, 4, y);
    var h0 = lanes[id] || [];
    for (var i = 0; i < h0.length; i++) {
      var p = h0[i];
      // One rectangle per run of equal samples: no seams between them.
      var end = i;
      while (end + 1 < h0.length && same(h0[end + 1], p)) end++;
      var next = h0[end + 1];
      var x0 = Math.round(Math.max(left, x(p.t))), x1 = Math.round(next ? x(next.t) : x(now));
      var prev = h0[i - 1];
      i = end;
      if (x1 <= left) continue;
      if (!p.up) { g.fillStyle = "rgba(240,228,66,0.55)"; g.fillRect(x0, y - 11, x1 - x0, 22); }
      else if (p.role === "leader") { g.fillStyle = termColour(p.term); g.fillRect(x0, y - 8, x1 - x0, 16); }
      else if (p.role === "candidate" || p.role === "precandidate") { g.fillStyle = "#E69F00"; g.fillRect(x0, y - 5, Math.max(2, x1 - x0), 10); }
      else { g.fillStyle = "#c9d1d9"; g.fillRect(x0, y - 2, x1 - x0, 4); }
      if (prev && p.up && prev.up && p.term !== prev.term && x0 > left) {
        g.fillStyle = termColour(p.term); g.fillRect(x0 - 1, y - 12, 2, 24);
      }
    }
    // label each leadership bar with its term once, at its start
    for (var j = 0; j < h0.length; j++) {
      var q = h0[j], before = h0[j - 1];
      if (q.role === "leader" && (!before || before.role !== "leader" || before.term !== q.term)) {
        var k = j;
        while (k + 1 < h0.length && h0[k + 1].role === "leader" && h0[k + 1].term === q.term) k++;
        var bx0 = Math.max(left, x(q.t)), bx1 = h0[k + 1] ? x(h0[k + 1].t) : x(now);
        if (bx1 - bx0 >= 26) { g.fillStyle = "#fff"; g.fillText("t" + q.term, bx0 + 4, y); }
      }
    }
  });
}

function same(a, b) { return a.up === b.up && a.role === b.role && a.term === b.term; }

function post(path) {
  return fetch(path, { method: "POST" }).then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
}

$("transfer").onclick = function () {
  var leader = this.dataset.leader;
  if (!leader) return;
  say("asking node " + leader + " to hand leadership over\u2026");
  post("/admin/transfer-leader?at=" + encodeURIComponent(leader)).then(function (r) {
    if (r.status === 200) say("node " + r.body.from + " handed leadership to node " + r.body.to + " in " + r.body.ms + " ms");
    else say("transfer: HTTP " + r.status + ": " + (r.body.error || JSON.stringify(r.body)), true);
  }).catch(function (e) { say("transfer failed: " + e.message, true); });
};

function stopNode(id) {
  say("stopping node " + id + "\u2026");
  var self = view && view.servedBy === id;
  post("/admin/stop" + (self ? "" : "?at=" + encodeURIComponent(id))).then(function (r) {
    if (r.status === 202) say("node " + id + " is stopping" + (self ? " (it served this page: open another node's page)" : ""));
    else say("stop: HTTP " + r.status + ": " + (r.body.error || JSON.stringify(r.body)), true);
  }).catch(function (e) { say("stop failed: " + e.message, true); });
}

$("write").onclick = function () {
  var key = $("key").value, raw = $("value").value, body;
  try { JSON.parse(raw); body = raw; } catch (e) { body = JSON.stringify(raw); }
  say("writing " + key + "\u2026");
  fetch("/kv/" + encodeURIComponent(key), { method: "PUT", body: body }).then(function (r) {
    return r.json().then(function (b) {
      if (r.status === 200) say("wrote " + key + " = " + JSON.stringify(b.value));
      else say("write: HTTP " + r.status + ": " + (b.error || JSON.stringify(b)) + (b.outcome ? " (" + b.outcome + ")" : ""), true);
    });
  }).catch(function (e) { say("write failed: " + e.message + " (it may or may not have happened)", true); });
};

window.addEventListener("resize", drawTimeline);
poll();
</script>
</body>
</html>
`;
