// The wallboard: listens to /api/live/stream (server-sent events) and draws
// each queue's calls waiting, longest wait, agents by state and today's
// SL, ASA and abandonment rate. No framework, nothing from a CDN. Text from
// the server (queue and agent names, pause reasons) only ever goes in
// through textContent.
(function () {
  "use strict";

  var STATES = ["available", "ringing", "busy", "wrap-up", "paused", "offline"];
  var STATE_LABEL = { "available": "available", "ringing": "ringing", "busy": "on call",
    "wrap-up": "wrap-up", "paused": "paused", "offline": "offline" };

  // The token comes with the page's URL (?token=…) once; it is kept in
  // sessionStorage for reloads and taken out of the address bar.
  var params = new URLSearchParams(location.search);
  var token = params.get("token");
  if (token) {
    try { sessionStorage.setItem("acd-token", token); } catch (e) { /* private mode */ }
    params.delete("token");
    var rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  } else {
    try { token = sessionStorage.getItem("acd-token") || ""; } catch (e) { token = ""; }
  }
  var q = token ? "?token=" + encodeURIComponent(token) : "";

  var view = null;        // the last live.View received
  var receivedAt = 0;     // performance.now() when it came
  var clockOffset = 0;    // server time − browser time, ms
  var source = null;
  var retryTimer = null;

  function $(id) { return document.getElementById(id); }
  function field(root, name) { return root.querySelector('[data-field="' + name + '"]'); }
  function setText(el, text) { if (el && el.textContent !== text) { el.textContent = text; } }

  function setStatus(state, text) {
    var el = $("status");
    el.setAttribute("data-state", state);
    setText(el, text);
  }

  function showMessage(text) {
    var el = $("message");
    setText(el, text || "");
    el.hidden = !text;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // duration formats seconds as m:ss, or h:mm:ss from an hour on.
  function duration(sec) {
    sec = Math.max(0, Math.floor(sec));
    var h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
    return h > 0 ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  function percent(f, digits) {
    return f === null || f === undefined ? "—" : (f * 100).toFixed(digits) + "%";
  }

  function seconds(f) {
    if (f === null || f === undefined) { return "—"; }
    return f < 60 ? Math.round(f) + " s" : duration(f);
  }

  // queueCard finds or makes the card of one queue.
  function queueCard(name) {
    var list = $("queues");
    for (var i = 0; i < list.children.length; i++) {
      if (list.children[i].getAttribute("data-queue") === name) { return list.children[i]; }
    }
    var card = $("queue-template").content.firstElementChild.cloneNode(true);
    card.setAttribute("data-queue", name);
    var states = field(card, "states");
    STATES.forEach(function (st) {
      var li = document.createElement("li");
      li.setAttribute("data-state", st);
      var b = document.createElement("b");
      b.setAttribute("data-field", "agents-" + st);
      b.textContent = "0";
      li.appendChild(b);
      li.appendChild(document.createTextNode(STATE_LABEL[st]));
      states.appendChild(li);
    });
    list.appendChild(card);
    return card;
  }

  function drawQueues(v) {
    var keep = {};
    v.queues.forEach(function (qv) {
      keep[qv.name] = true;
      var card = queueCard(qv.name);
      setText(field(card, "name"), qv.name);
      setText(field(card, "number"), qv.number ? "☎ " + qv.number : "");
      setText(field(card, "waiting"), String(qv.waiting));
      field(card, "waiting").parentNode.classList.toggle("active", qv.waiting > 0);
      STATES.forEach(function (st) {
        var n = (qv.agents_by_state && qv.agents_by_state[st]) || 0;
        var b = field(card, "agents-" + st);
        setText(b, String(n));
        b.parentNode.classList.toggle("zero", n === 0);
      });
      var t = qv.today;
      setText(field(card, "sl"), percent(t.service_level, 0));
      setText(field(card, "sl-label"), "SL ≤ " + Math.round(t.threshold_s) + " s today");
      setText(field(card, "asa"), seconds(t.asa_s));
      setText(field(card, "abandon"), percent(t.abandon_rate, 1));
      setText(field(card, "offered"), String(t.offered));
      setText(field(card, "answered"), String(t.answered));
      setText(field(card, "abandoned"), String(t.abandoned));
    });
    var list = $("queues");
    for (var i = list.children.length - 1; i >= 0; i--) {
      if (!keep[list.children[i].getAttribute("data-queue")]) { list.removeChild(list.children[i]); }
    }
  }

  function drawAgents(v) {
    var box = $("agents");
    var byID = {};
    for (var i = 0; i < box.children.length; i++) { byID[box.children[i].getAttribute("data-agent")] = box.children[i]; }
    v.agents.forEach(function (a, idx) {
      var el = byID[a.id];
      if (!el) {
        el = $("agent-template").content.firstElementChild.cloneNode(true);
        el.setAttribute("data-agent", a.id);
      }
      delete byID[a.id];
      if (box.children[idx] !== el) { box.insertBefore(el, box.children[idx] || null); }
      setText(field(el, "name"), a.name || a.id);
      var st = field(el, "state");
      st.setAttribute("data-state", a.state);
      setText(st, a.state === "paused" && a.pause_reason ? "paused: " + a.pause_reason : (STATE_LABEL[a.state] || a.state));
      el.setAttribute("data-since", a.state_since);
    });
    Object.keys(byID).forEach(function (id) { box.removeChild(byID[id]); });
  }

  function draw(v) {
    setText($("day"), v.day + (v.time_zone && v.time_zone !== "Local" ? " (" + v.time_zone + ")" : ""));
    setText($("formula"), "SL = " + v.sl_formula + ": " + v.sl_formula_text);
    drawQueues(v);
    drawAgents(v);
    tick();
  }

  // tick moves the clocks between frames: longest waits and time in state
  // grow by the time since the frame came.
  function tick() {
    var now = new Date();
    setText($("clock"), pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds()));
    if (!view) { return; }
    var elapsed = performance.now() - receivedAt;
    view.queues.forEach(function (qv) {
      var card = queueCard(qv.name);
      var ms = qv.waiting > 0 ? qv.longest_wait_ms + elapsed : 0;
      setText(field(card, "longest-wait"), duration(ms / 1000));
      field(card, "longest-wait").parentNode.classList.toggle("over", ms / 1000 > qv.today.threshold_s);
    });
    var serverNow = Date.now() + clockOffset;
    var agents = $("agents").children;
    for (var i = 0; i < agents.length; i++) {
      var since = Date.parse(agents[i].getAttribute("data-since"));
      var text = isNaN(since) || since <= 0 ? "" : "for " + duration((serverNow - since) / 1000);
      setText(field(agents[i], "since"), text);
    }
  }

  function onLive(e) {
    var v;
    try { v = JSON.parse(e.data); } catch (err) { return; }
    view = v;
    receivedAt = performance.now();
    clockOffset = Date.parse(v.time) - Date.now();
    showMessage("");
    setStatus("live", "live");
    draw(v);
  }

  function connect() {
    retryTimer = null;
    source = new EventSource("api/live/stream" + q);
    source.addEventListener("live", onLive);
    source.addEventListener("error", function (e) {
      if (e.data) { // an "error" event the server sent: its picture is stale
        setStatus("stale", "stale");
        return;
      }
      if (source.readyState === EventSource.CLOSED) {
        // Refused (not a dropped connection, which EventSource retries by
        // itself): find out why, then try again later.
        source = null;
        fetch("api/live" + q, { cache: "no-store" }).then(function (r) {
          if (r.status === 401) {
            setStatus("unauthorized", "no access");
            showMessage("This wallboard needs the API token: open it as /wallboard?token=<token>.");
          } else {
            setStatus("reconnecting", "reconnecting…");
          }
        }, function () {
          setStatus("reconnecting", "reconnecting…");
        });
        if (!retryTimer) { retryTimer = setTimeout(connect, 5000); }
      } else {
        setStatus("reconnecting", "reconnecting…");
      }
    });
  }

  setInterval(tick, 1000);
  tick();
  connect();
})();
