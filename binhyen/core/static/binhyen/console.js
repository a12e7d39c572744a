// Countdowns for deadlines: every element with data-due shows the time left, red when past.
(function () {
  "use strict";
  function fmt(ms) {
    var s = Math.abs(Math.round(ms / 1000));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600),
        m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d > 0) return d + " ngày " + h + " giờ";
    if (h > 0) return h + " giờ " + m + " phút";
    return m + ":" + (sec < 10 ? "0" : "") + sec;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      var left = due - now;
      var row = el.closest(".clock, .case-row, .badge") || el;
      if (left <= 0) {
        el.textContent = "QUÁ HẠN " + fmt(left);
        el.classList.add("overdue");
        row.classList.add("overdue");
      } else if (el.classList.contains("countdown")) {
        el.textContent = "còn " + fmt(left);
      }
    });
  }
  tick();
  setInterval(tick, 1000);
})();

// Behaviours that used to be inline handlers (the Content-Security-Policy forbids those):
// <select data-autosubmit> submits its form on change; the "show clock events" checkbox
// toggles them in its timeline section.
document.addEventListener("change", function (e) {
  var el = e.target;
  if (!(el instanceof HTMLElement)) return;
  if (el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  if (el.matches("input.show-clock-events")) {
    var section = el.closest("section");
    if (section) section.classList.toggle("with-clocks", el.checked);
  }
});
