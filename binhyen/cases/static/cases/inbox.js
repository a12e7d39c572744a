// Live inbox: when a case arrives or changes in a unit this officer sees, re-fetch this
// same page and swap in its list (server-rendered and escaped: no HTML is built here).
(function () {
  if (!window.BinhYenLive) return;
  var pending = null;
  function refresh() {
    pending = null;
    fetch(window.location.href, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var sel = ".case-list:not(.code-hits)";
        var fresh = doc.querySelector(sel), current = document.querySelector(sel);
        if (fresh && current) current.replaceWith(fresh);
      })
      .catch(function () {});
  }
  function soon() { if (!pending) pending = setTimeout(refresh, 400); }
  ["case.new", "case.updated", "alert", "alert.ack", "resync"].forEach(function (k) {
    window.BinhYenLive.on(k, soon);
  });
})();
