// Live updates over Server-Sent Events: the server pushes re-rendered fragments
// ({"id": element id, "html": ...}) only when they change; this swaps them in.
(function () {
  "use strict";
  var holder = document.querySelector("[data-live]");
  if (!holder || !window.EventSource) return;
  var source = new EventSource(holder.dataset.live);
  source.addEventListener("open", function () { document.body.classList.add("live-on"); });
  source.addEventListener("error", function () { document.body.classList.remove("live-on"); });
  source.addEventListener("fragment", function (ev) {
    var msg = JSON.parse(ev.data);
    var old = document.getElementById(msg.id);
    if (!old) return;
    var tpl = document.createElement("template");
    tpl.innerHTML = msg.html.trim();
    var fresh = tpl.content.firstElementChild;
    if (fresh) old.replaceWith(fresh);
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
