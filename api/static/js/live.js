// Live updates over Server-Sent Events: the server pushes re-rendered fragments
// ({"id": element id, "html": ...}) only when they change, and a "beat" event every 15 s;
// this swaps the fragments in. When updates stop, the page says so instead of showing old
// readings as new: "connection lost — last data HH:MM" once the stream has been down for
// GRACE_MS (or silent for SILENT_MS: a dropped Wi-Fi may never close the socket), and
// "login expired" when the server ends the stream for it or /live/ping answers 401.
(function () {
  "use strict";
  var holder = document.querySelector("[data-live]");
  var banner = document.getElementById("live-state");
  if (!holder || !window.EventSource) return;
  var GRACE_MS = 6000, SILENT_MS = 40000, RECONNECT_MS = 5000;
  var source = null, lastHeard = Date.now(), downSince = null, expired = false;
  var tz = (banner && banner.dataset.tz) || "Asia/Jakarta";
  var tzName = (banner && banner.dataset.tzName) || "WIB";
  var clock = new Intl.DateTimeFormat("en-GB", {hour: "2-digit", minute: "2-digit",
                                                hourCycle: "h23", timeZone: tz});

  // The kiosk's clock: the site's own time (WIB, WITA or WIT), not the tablet's.
  var kioskClock = document.getElementById("kiosk-clock");
  if (kioskClock) {
    var siteClock = new Intl.DateTimeFormat("en-GB", {hour: "2-digit", minute: "2-digit",
      hourCycle: "h23", timeZone: kioskClock.dataset.tz || tz});
    var tick = function () {
      kioskClock.textContent = siteClock.format(new Date()) + " " +
        (kioskClock.dataset.tzName || tzName);
    };
    tick();
    setInterval(tick, 15000);
  }

  function show(text, state) {
    if (!banner) return;
    banner.textContent = text;
    banner.dataset.state = state;
    banner.hidden = false;
    document.body.classList.add("live-lost");
  }
  function heard() {
    lastHeard = Date.now();
    downSince = null;
    document.body.classList.add("live-on");
    if (!expired && banner && !banner.hidden) {
      banner.hidden = true;
      delete banner.dataset.state;
      document.body.classList.remove("live-lost");
    }
  }
  function lost() {
    if (expired || !banner) return;
    show(banner.dataset.lost.replace("{time}", clock.format(new Date(lastHeard)) + " " + tzName),
         "lost");
  }
  function expire() {
    expired = true;
    if (source) source.close();
    document.body.classList.remove("live-on");
    if (!banner) return;
    show(banner.dataset.expired, "expired");
    var a = document.createElement("a");
    a.href = banner.dataset.login;
    a.textContent = " →";
    banner.appendChild(a);
  }
  // Why the stream stopped: 401 is an expired login; anything else (or no answer) is the
  // connection, and the stream is opened again.
  function probe() {
    fetch("/live/ping", {cache: "no-store", credentials: "same-origin"}).then(function (r) {
      if (r.status === 401) { expire(); return; }
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, RECONNECT_MS);
    }, function () {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, RECONNECT_MS);
    });
  }
  function connect() {
    if (expired) return;
    if (source) source.close();
    source = new EventSource(holder.dataset.live);
    source.addEventListener("open", heard);
    source.addEventListener("beat", heard);
    source.addEventListener("logout", expire);
    source.addEventListener("error", function () {
      document.body.classList.remove("live-on");
      if (downSince === null) downSince = Date.now();
      // CLOSED: the server refused the stream (login, or too many pages): find out why.
      // CONNECTING: the browser retries by itself.
      if (source.readyState === EventSource.CLOSED) probe();
    });
    source.addEventListener("fragment", function (ev) {
      heard();
      var msg = JSON.parse(ev.data);
      var old = document.getElementById(msg.id);
      if (!old) return;
      var tpl = document.createElement("template");
      tpl.innerHTML = msg.html.trim();
      var fresh = tpl.content.firstElementChild;
      if (fresh) old.replaceWith(fresh);
    });
  }
  setInterval(function () {
    if (expired) return;
    var now = Date.now();
    if (downSince !== null && now - downSince >= GRACE_MS) lost();
    else if (downSince === null && now - lastHeard >= SILENT_MS) {
      downSince = lastHeard;  // silent socket: count it as down and open a new stream
      lost();
      connect();
    }
  }, 1000);
  connect();
  window.addEventListener("pagehide", function () { if (source) source.close(); });
})();
