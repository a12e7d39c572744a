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
})();
