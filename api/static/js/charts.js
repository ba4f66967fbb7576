// Pond charts: one uPlot per metric, optimal band shaded, events marked on the time axis,
// and on the DO chart the periods each aerator was on, shaded behind the line (#18).
(function () {
  "use strict";
  var root = document.getElementById("charts");
  if (!root || !window.uPlot) return;
  // Axes and legend in the page's language and the site's zone, as api/fmt.py writes them:
  // 1.234,5 and 24/11 14:25 WIB (id), 1,234.5 and 24 Nov 14:25 WIB (en); 24-hour always.
  var lang = root.dataset.lang || "id";
  var tz = root.dataset.tz || "Asia/Jakarta", tzName = root.dataset.tzName || "WIB";
  var plots = [];
  var EVENT_COLOURS = { alert: "#c62828", feeding: "#8250df", water_exchange: "#0969da",
    treatment: "#57606a" };
  var locale = lang === "en" ? "en-GB" : "id-ID";
  var hhmm = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit",
    hourCycle: "h23", timeZone: tz });
  var dayParts = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "numeric",
    timeZone: tz });
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
    "Dec"];
  var numbers = {};
  var OUTPUT_COLOURS = ["rgba(191,135,0,0.20)", "rgba(130,80,223,0.16)", "rgba(9,105,218,0.14)"];
  function outputColour(k) { return OUTPUT_COLOURS[k % OUTPUT_COLOURS.length]; }

  function num(v, d) {
    if (v == null) return "—";
    var f = numbers[d] || (numbers[d] = new Intl.NumberFormat(locale,
      { minimumFractionDigits: d, maximumFractionDigits: d }));
    return f.format(v);
  }
  function day(ts) {
    var p = dayParts.formatToParts(new Date(ts * 1e3)), d = "", m = "";
    p.forEach(function (x) { if (x.type === "day") d = x.value; if (x.type === "month") m = x.value; });
    return lang === "en" ? d + " " + MONTHS[Number(m) - 1]
      : ("0" + d).slice(-2) + "/" + ("0" + m).slice(-2);
  }
  function clock(ts) { return hhmm.format(new Date(ts * 1e3)); }
  function when(ts) { return day(ts) + " " + clock(ts) + " " + tzName; }
  // Time-axis ticks: hours within a day ("14:00"), the date at midnight and for spans of days.
  function timeTicks(u, splits, axisIdx, space, incr) {
    return splits.map(function (ts) {
      if (incr >= 86400) return day(ts);
      var c = clock(ts);
      return c === "00:00" ? day(ts) : c;
    });
  }

  function drawSwitches(u, switches) {
    var ctx = u.ctx, b = u.bbox, n = switches.length;
    ctx.save();
    switches.forEach(function (s, k) {
      ctx.fillStyle = outputColour(k);
      // Several outputs share the height in stripes, so overlapping periods stay visible.
      var top = b.top + b.height * k / n, h = b.height / n;
      s.periods.forEach(function (p) {
        var x0 = Math.max(b.left, u.valToPos(p[0], "x", true));
        var x1 = Math.min(b.left + b.width, u.valToPos(p[1], "x", true));
        if (x1 > x0) ctx.fillRect(x0, top, x1 - x0, h);
      });
    });
    ctx.restore();
  }

  function bandPlugin(m, events, switches) {
    return {
      hooks: {
        drawClear: function (u) {
          if (switches.length) drawSwitches(u, switches);
          var lo = m.optimal[0], hi = m.optimal[1];
          if (lo == null && hi == null) return;
          var ctx = u.ctx, b = u.bbox;
          var top = hi == null ? b.top : u.valToPos(hi, "y", true);
          var bottom = lo == null ? b.top + b.height : u.valToPos(lo, "y", true);
          top = Math.max(b.top, Math.min(top, b.top + b.height));
          bottom = Math.max(b.top, Math.min(bottom, b.top + b.height));
          ctx.save();
          ctx.fillStyle = "rgba(26,127,55,0.12)";
          ctx.fillRect(b.left, top, b.width, bottom - top);
          ctx.restore();
        },
        draw: function (u) {
          var ctx = u.ctx, b = u.bbox;
          ctx.save();
          ctx.lineWidth = 2;
          events.forEach(function (e) {
            if (e.kind === "alert" && e.metric && e.metric !== m.key) return;
            var x = u.valToPos(e.t, "x", true);
            if (x < b.left || x > b.left + b.width) return;
            ctx.strokeStyle = EVENT_COLOURS[e.kind] || "#57606a";
            ctx.globalAlpha = e.kind === "alert" ? 0.9 : 0.35;
            ctx.beginPath();
            ctx.moveTo(x, b.top);
            ctx.lineTo(x, b.top + (e.kind === "alert" ? b.height : 12 * devicePixelRatio));
            ctx.stroke();
          });
          ctx.restore();
        }
      }
    };
  }

  function switchLegend(switches) {
    var p = document.createElement("p");
    p.className = "switch-legend";
    var label = root.dataset.outputOnLabel || "{output}";
    switches.forEach(function (s, k) {
      var item = document.createElement("span");
      item.dataset.output = s.output;
      item.dataset.periods = String(s.periods.length);
      var swatch = document.createElement("i");
      swatch.style.background = outputColour(k).replace(/[0-9.]+\)$/, "0.6)");
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(" " + label.replace("{output}", s.output) + " "));
      p.appendChild(item);
    });
    return p;
  }

  function draw(data) {
    plots.forEach(function (p) { p.destroy(); });
    plots = [];
    root.innerHTML = "";
    data.metrics.forEach(function (m) {
      var switches = m.key === "do_mgl" ? (data.switch_bands || []) : [];
      var box = document.createElement("div");
      box.className = "chart";
      box.dataset.metric = m.key;
      var h = document.createElement("h3");
      h.textContent = (lang === "en" ? m.label_en : m.label_id) + (m.unit && m.unit !== "pH" ? " (" + m.unit + ")" : "");
      box.appendChild(h);
      root.appendChild(box);
      var width = Math.max(260, box.clientWidth - 16);
      var opts = {
        width: width, height: 200,
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), tz); },
        scales: { x: { time: true, range: [data.start, data.end] } },
        series: [
          { label: root.dataset.timeLabel || "Waktu",
            value: function (u, v) { return v == null ? "—" : when(v); } },
          { label: root.dataset.meanLabel || "rata-rata", stroke: "#0b5cad", width: 2,
            value: function (u, v) { return v == null ? "—" : num(v, m.decimals) + " " + m.unit; } },
          { label: root.dataset.minLabel || "min", stroke: "rgba(11,92,173,0.35)", width: 1,
            value: function (u, v) { return num(v, m.decimals); } },
          { label: root.dataset.maxLabel || "max", stroke: "rgba(11,92,173,0.35)", width: 1,
            value: function (u, v) { return num(v, m.decimals); } }
        ],
        bands: [{ series: [3, 2], fill: "rgba(11,92,173,0.08)" }],
        axes: [{ values: timeTicks, space: 60 },
               { size: 56, values: function (u, vals) { return vals.map(function (v) { return num(v, m.decimals); }); } }],
        plugins: [bandPlugin(m, data.events, switches)]
      };
      var u = new uPlot(opts, [m.t, m.mean, m.min, m.max], box);
      if (switches.length) box.appendChild(switchLegend(switches));
      box.uplot = u;  // for the browser tests: the axis labels are drawn on a canvas
      plots.push(u);
    });
    root.dataset.drawn = String(plots.length);
    // Milliseconds since navigation start: what bench/pages.py reports as render time.
    root.dataset.drawnMs = String(Math.round(performance.now()));
  }

  function load(range) {
    root.setAttribute("aria-busy", "true");
    fetch(root.dataset.src + "?range=" + encodeURIComponent(range), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) { draw(data); root.dataset.range = range; })
      .catch(function (e) { root.textContent = String(e); })
      .finally(function () { root.removeAttribute("aria-busy"); });
  }

  document.querySelectorAll(".ranges button").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll(".ranges button").forEach(function (x) {
        x.setAttribute("aria-pressed", String(x === b));
      });
      load(b.dataset.range);
    });
  });
  var timer;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      plots.forEach(function (p) { p.setSize({ width: Math.max(260, p.root.parentNode.clientWidth - 16), height: 200 }); });
    }, 200);
  });
  var first = root.dataset.range || "24h";
  document.querySelectorAll(".ranges button").forEach(function (x) {
    x.setAttribute("aria-pressed", String(x.dataset.range === first));
  });
  load(first);
})();
