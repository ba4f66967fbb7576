// Page forms (issue #17): show the fields of the chosen kind of log, and the per-fish
// weight a sampling's count and total weight give, before saving. Numbers are read as
// api/pages/forms.py reads them: "17,9" and "1.234,5" in Indonesian, "17.9" in English.
(function () {
  "use strict";
  function parse(text, lang) {
    var t = String(text || "").replace(/[\s\u00a0\u202f]/g, "");
    if (!t) return NaN;
    var dec = lang === "en" ? "." : ",", th = lang === "en" ? "," : ".";
    if (t.indexOf(",") >= 0 && t.indexOf(".") >= 0) {
      var last = Math.max(t.lastIndexOf(","), t.lastIndexOf("."));
      dec = t[last]; th = dec === "." ? "," : ".";
      return Number(t.slice(0, last).split(th).join("") + "." + t.slice(last + 1));
    }
    var grouped = new RegExp("^[1-9][0-9]{0,2}(\\" + th + "[0-9]{3})+$");
    if (grouped.test(t)) return Number(t.split(th).join(""));
    return Number(t.replace(",", "."));
  }
  function fmt(value, decimals, lang) {
    return value.toLocaleString(lang === "en" ? "en-US" : "id-ID",
      {minimumFractionDigits: decimals, maximumFractionDigits: decimals});
  }
  document.querySelectorAll("form[data-kinds]").forEach(function (form) {
    var kind = form.querySelector("select[name=kind]");
    function show() {
      form.querySelectorAll("fieldset[data-kind]").forEach(function (fs) {
        fs.hidden = fs.dataset.kind !== kind.value;
      });
    }
    kind.addEventListener("change", show);
    show();
    var out = form.querySelector("output.abw-preview");
    if (!out) return;
    var count = form.querySelector("input[name=sample_count]");
    var total = form.querySelector("input[name=sample_weight_g]");
    function preview() {
      var lang = out.dataset.lang, n = parse(count.value, lang), g = parse(total.value, lang);
      out.textContent = n > 0 && g > 0 ? out.dataset.template
        .replace("{n}", fmt(n, 0, lang)).replace("{total}", fmt(g, 1, lang))
        .replace("{abw}", fmt(g / n, 1, lang)) : "";
    }
    count.addEventListener("input", preview);
    total.addEventListener("input", preview);
    preview();
  });
  // The kiosk: only the crew of the chosen pond can be ticked.
  document.querySelectorAll("form.logform").forEach(function (form) {
    var crews = form.querySelectorAll(".crew[data-pond]");
    if (!crews.length) return;
    function pick() {
      var chosen = form.querySelector("input[name=pond]:checked");
      crews.forEach(function (crew) {
        var mine = chosen && crew.dataset.pond === chosen.value;
        crew.hidden = !mine;
        if (!mine) crew.querySelectorAll("input").forEach(function (i) { i.checked = false; });
      });
    }
    form.querySelectorAll("input[name=pond]").forEach(function (r) {
      r.addEventListener("change", pick);
    });
    pick();
  });
})();
