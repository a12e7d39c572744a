// Optional conveniences; every page works without them.
(function () {
  "use strict";
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-locate]").forEach(function (b) {
    var status = document.querySelector("[data-locate-status]");
    if (!("geolocation" in navigator)) { b.parentNode.hidden = true; return; }
    b.addEventListener("click", function () {
      var input = document.getElementById(b.getAttribute("data-target"));
      if (status) { status.textContent = "Đang lấy vị trí…"; }
      // The position stays in this page until the citizen sends the form.
      navigator.geolocation.getCurrentPosition(function (pos) {
        input.value = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
        if (status) { status.textContent = "Đã điền vị trí hiện tại."; }
      }, function () {
        if (status) { status.textContent = "Không lấy được vị trí; bạn có thể bỏ qua mục này."; }
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });

  // The place list has ~400 names: a search box filters it, typed with or without
  // diacritics ("tan loi" finds "Phường Tân Lợi (cũ, …)").
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase()
      .replace(/[^a-z0-9\s]/g, "").replace(/\s+/g, " ").trim();
  }
  document.querySelectorAll("[data-filter-for]").forEach(function (box) {
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    var count = document.getElementById(box.getAttribute("aria-describedby"));
    if (!select) { return; }
    // Every option, with its group, kept aside: filtering rebuilds the list (hiding
    // options is ignored by some phone browsers' pickers).
    var groups = [];
    Array.prototype.forEach.call(select.children, function (child) {
      if (child.tagName === "OPTGROUP") {
        groups.push({ label: child.label, options: Array.prototype.slice.call(child.children) });
      } else {
        groups.push({ label: null, options: [child] });
      }
    });
    groups.forEach(function (g) {
      g.options.forEach(function (o) { o.setAttribute("data-folded", fold(o.textContent)); });
    });
    box.addEventListener("input", function () {
      var words = fold(box.value).split(" ").filter(Boolean);
      var chosen = select.value;
      var shown = 0;
      var first = null;
      select.textContent = "";
      groups.forEach(function (g) {
        var matches = g.options.filter(function (o) {
          if (!o.value) { return true; } // "— chọn —"
          var f = o.getAttribute("data-folded");
          return words.every(function (w) { return f.indexOf(w) !== -1; });
        });
        var real = matches.filter(function (o) { return o.value; });
        if (!real.length && g.label !== null) { return; }
        shown += real.length;
        if (!first && real.length) { first = real[0]; }
        var parent = select;
        if (g.label !== null) {
          parent = document.createElement("optgroup");
          parent.label = g.label;
          select.appendChild(parent);
        }
        matches.forEach(function (o) { parent.appendChild(o); });
      });
      if (words.length && shown === 1 && first) { select.value = first.value; }
      else { select.value = chosen; }
      if (count) {
        count.textContent = words.length ? (shown ? shown + " nơi khớp" : "Không thấy tên này; hãy thử cách viết khác hoặc ghi vào ô địa chỉ.") : "";
      }
    });
  });

  // "Gửi ẩn danh": the contact fields are not asked for, so not shown.
  var contact = document.querySelector("[data-contact]");
  var radios = document.querySelectorAll("input[name=anonymous]");
  function followChoice() {
    var checked = document.querySelector("input[name=anonymous]:checked");
    if (contact) { contact.hidden = !checked || checked.value === "yes"; }
  }
  radios.forEach(function (r) { r.addEventListener("change", followChoice); });
  if (contact && radios.length) { followChoice(); }
})();
