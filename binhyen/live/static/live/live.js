/* BinhYen live alerts: one EventSource per console page, toasts for "high", a banner
 * with sound for "critical" (kept until acknowledged, across pages and tabs), and a hook
 * for pages: window.BinhYenLive.on(kind, fn). No dependencies; text only via textContent.
 */
(function () {
  "use strict";

  var root = document.getElementById("binhyen-live");
  var handlers = {};
  var api = {
    /* Call fn(event) for every event of this kind ("*" for all; "resync" when the page
     * may have missed events and should reload its lists). Returns an unsubscribe. */
    on: function (kind, fn) {
      (handlers[kind] = handlers[kind] || []).push(fn);
      return function () { api.off(kind, fn); };
    },
    off: function (kind, fn) {
      var list = handlers[kind] || [];
      var i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    },
    state: "off",
    armSound: function () { armSound(); },
  };
  window.BinhYenLive = api;
  if (!root || !window.EventSource || !window.JSON) return;

  var STORE_ALERTS = "binhyen-live-alerts";   // localStorage: unacknowledged critical alerts
  var STORE_LAST = "binhyen-live-last";       // sessionStorage: last event id this tab saw
  var STORE_SEEN = "binhyen-live-seen";       // sessionStorage: recent ids, to drop repeats
  var STORE_NOTIFY = "binhyen-live-notify-asked"; // localStorage: desktop notifications asked
  var ALERT_TTL = 12 * 3600 * 1000;
  var csrf = root.getAttribute("data-csrf") || "";
  var url = streamUrl(root.getAttribute("data-url") || "/live/stream");
  var ringingUrl = safePath(root.getAttribute("data-ringing") || "");
  var hellos = 0;
  var es = null;
  var retryDelay = 2000;
  var retryTimer = null;
  var watchdog = null;
  var heartbeatMs = 20000;
  var loggedOut = false;
  var offlineTimer = null;

  /* ---------- small helpers ---------- */

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = String(text);
    return node;
  }

  function streamUrl(cfg) {
    var m = /^:(\d+)(\/.*)$/.exec(cfg); // ":8001/live/stream": this host, another port
    if (m) return location.protocol + "//" + location.hostname + ":" + m[1] + m[2];
    return new URL(cfg, location.href).href;
  }

  function safePath(u) {
    // Only links back into this site: never javascript:, never another host.
    return typeof u === "string" && /^\/(?![\/\\])/.test(u) ? u : null;
  }

  function read(storage, key, fallback) {
    try { var v = storage.getItem(key); return v ? JSON.parse(v) : fallback; }
    catch (e) { return fallback; }
  }

  function write(storage, key, value) {
    try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode, full */ }
  }

  function emit(kind, ev) {
    [kind, "*"].forEach(function (k) {
      (handlers[k] || []).slice().forEach(function (fn) {
        try { fn(ev); } catch (err) { if (window.console) console.error(err); }
      });
    });
  }

  var KIND_TITLES = {
    "alert": "Tin báo khẩn",
    "case.new": "Tin báo mới",
    "case.escalated": "Tin báo được chuyển cấp",
    "case.deadline_breached": "Tin báo quá hạn xử lý",
    "case.assigned": "Tin báo được giao",
  };
  var REASON_TITLES = { urgent: "Tin báo khẩn", breach: "Tin báo quá hạn xử lý" };
  var LEVEL_NAMES = ["", "Chuyển cấp: chỉ huy đơn vị", "Chuyển cấp: trực ban Công an tỉnh"];

  function titleOf(ev) {
    var p = ev.payload || {};
    return p.title || REASON_TITLES[p.reason] || KIND_TITLES[ev.kind] || "Cảnh báo";
  }

  /* Which events ring or pop up: duty alerts (kind "alert", level from the case urgency)
   * and any event that asks for it with payload.alert. Everything else (case.new,
   * case.updated, ...) only reaches page hooks, e.g. to refresh the inbox list. */
  function levelOf(ev) {
    var p = ev.payload || {};
    if (p.alert) return p.alert;
    return ev.kind === "alert" ? p.urgency || "high" : "";
  }

  function caseKey(ev) {
    var p = ev.payload || {};
    return p.case_id != null ? "id:" + p.case_id : p.code ? "code:" + p.code : "";
  }

  /* ---------- layout ---------- */

  var banners = el("div", "live-banners");
  banners.setAttribute("role", "region");
  banners.setAttribute("aria-label", "Cảnh báo khẩn cấp");
  var toasts = el("div", "live-toasts");
  toasts.setAttribute("aria-live", "polite");
  var status = el("div", "live-status", "Mất kết nối cảnh báo trực tiếp — đang kết nối lại…");
  status.hidden = true;
  // Banners sit right below the navigation (never over it, nor over the page's search):
  // in the page's flow, sticking to the top of the window while one scrolls.
  var topbar = document.querySelector("header.topbar");
  if (topbar && topbar.parentNode) topbar.parentNode.insertBefore(banners, topbar.nextSibling);
  else root.appendChild(banners);
  root.appendChild(toasts);
  root.appendChild(status);

  /* ---------- sound (Web Audio; armed by the first user gesture) ---------- */

  var audio = null;

  function soundReady() { return !!audio && audio.state === "running"; }

  function armSound() {
    var AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) return;
    try {
      if (!audio) audio = new AC();
      if (audio.state === "suspended") {
        audio.resume().then(refreshSoundButtons, function () {});
      }
    } catch (e) { audio = null; }
    refreshSoundButtons();
  }

  ["pointerdown", "keydown", "touchend"].forEach(function (type) {
    document.addEventListener(type, function onFirst() {
      armSound();
      askNotifications();
      if (soundReady()) document.removeEventListener(type, onFirst, true);
    }, true);
  });

  /* ---------- desktop notifications (asked once, on the first gesture) ---------- */

  // A background tab is seen, not only heard: a system notification for a critical alert
  // when the page is not in front. The browser asks the officer once; the answer (and the
  // fact that we asked) is remembered, so the question never comes back.
  function askNotifications() {
    if (!("Notification" in window) || Notification.permission !== "default") return;
    if (read(localStorage, STORE_NOTIFY, false)) return;
    write(localStorage, STORE_NOTIFY, true);
    try {
      var asked = Notification.requestPermission();
      if (asked && asked.then) asked.then(function () {}, function () {});
    } catch (e) { /* old Safari: callback form only; not worth it */ }
  }

  function notify(ev) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return; // the banner is seen
    var p = ev.payload || {};
    try {
      var n = new Notification("KHẨN CẤP · " + titleOf(ev) + (p.code ? " " + p.code : ""), {
        body: [p.summary, p.unit_name].filter(Boolean).join(" — "),
        tag: caseKey(ev) || ev.id,
        requireInteraction: true,
      });
      n.onclick = function () {
        window.focus();
        var link = safePath(p.url);
        if (link) location.href = link;
        n.close();
      };
    } catch (e) { /* Android Chrome needs a service worker for this: the banner remains */ }
  }

  function alarm() {
    if (navigator.vibrate) { try { navigator.vibrate([300, 150, 300, 150, 300]); } catch (e) {} }
    if (!soundReady()) { refreshSoundButtons(); return false; }
    var t = audio.currentTime + 0.02;
    for (var i = 0; i < 3; i++) {
      [880, 660].forEach(function (freq, j) {
        var start = t + i * 0.5 + j * 0.2;
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "square";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.2);
      });
    }
    return true;
  }

  function refreshSoundButtons() {
    var ready = soundReady();
    var buttons = banners.querySelectorAll(".live-sound");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = ready;
  }

  // While critical alerts wait for acknowledgement, ring again every 20 s.
  setInterval(function () {
    if (banners.children.length && document.visibilityState !== "hidden") alarm();
  }, 20000);

  /* ---------- critical: banner until acknowledged ---------- */

  function storedAlerts() {
    var all = read(localStorage, STORE_ALERTS, {});
    var now = Date.now();
    Object.keys(all).forEach(function (id) {
      if (!all[id] || now - (all[id].ts || 0) > ALERT_TTL) delete all[id];
    });
    return all;
  }

  function showBanner(ev, ring) {
    if (banners.querySelector('[data-id="' + CSS.escape(ev.id) + '"]')) return;
    var p = ev.payload || {};
    var key = caseKey(ev);
    if (key) {
      // A newer alert about the same case (an escalation) replaces the older banner.
      var older = banners.querySelectorAll('[data-case="' + CSS.escape(key) + '"]');
      for (var i = 0; i < older.length; i++) forget(older[i].getAttribute("data-id"));
    }
    var box = el("section", "live-banner");
    box.setAttribute("role", "alert");
    box.setAttribute("data-id", ev.id);
    if (key) box.setAttribute("data-case", key);
    var head = el("div", "live-banner-head");
    head.appendChild(el("strong", "live-banner-level", "KHẨN CẤP"));
    head.appendChild(el("span", "live-banner-title", titleOf(ev)));
    if (p.code) head.appendChild(el("span", "live-code", p.code));
    box.appendChild(head);
    if (p.summary) box.appendChild(el("p", "live-banner-summary", p.summary));
    var meta = [LEVEL_NAMES[p.level] || "", p.unit_name, p.category_label, when(ev.ts)]
      .filter(Boolean).join(" · ");
    if (meta) box.appendChild(el("p", "live-banner-meta", meta));
    var actions = el("div", "live-banner-actions");
    var link = safePath(p.url);
    if (link) {
      var a = el("a", "live-open", "Mở tin báo");
      a.href = link;
      actions.appendChild(a);
    }
    var ack = el("button", "live-ack", "Đã nhận");
    ack.type = "button";
    ack.addEventListener("click", function () { acknowledge(ev); });
    actions.appendChild(ack);
    var sound = el("button", "live-sound", "🔔 Bật âm thanh");
    sound.type = "button";
    sound.hidden = soundReady();
    sound.addEventListener("click", function () { armSound(); setTimeout(alarm, 50); });
    actions.appendChild(sound);
    box.appendChild(actions);
    banners.insertBefore(box, banners.firstChild);
    updateTitle();
    if (ring) { alarm(); notify(ev); }
  }

  function removeBanner(id) {
    var box = banners.querySelector('[data-id="' + CSS.escape(id) + '"]');
    if (box) box.parentNode.removeChild(box);
    updateTitle();
  }

  function forget(id) {
    removeBanner(id);
    var all = storedAlerts();
    delete all[id];
    write(localStorage, STORE_ALERTS, all);
  }

  // Somebody took the case (here or on any other screen): its banners go everywhere.
  function caseAcknowledged(ev) {
    var key = caseKey(ev);
    if (!key) return;
    var all = storedAlerts();
    Object.keys(all).forEach(function (id) {
      if (caseKey(all[id].ev) === key) forget(id);
    });
    var shown = banners.querySelectorAll('[data-case="' + CSS.escape(key) + '"]');
    for (var i = 0; i < shown.length; i++) forget(shown[i].getAttribute("data-id"));
  }

  function acknowledge(ev) {
    forget(ev.id);
    var ackUrl = safePath((ev.payload || {}).ack_url);
    if (ackUrl && window.fetch) {
      fetch(ackUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "XMLHttpRequest" },
      }).catch(function () {});
    }
    emit("ack", ev);
  }

  var baseTitle = document.title;
  function updateTitle() {
    var n = banners.children.length;
    document.title = n ? "(" + n + "!) " + baseTitle : baseTitle;
  }

  function when(ts) {
    if (!ts) return "";
    var d = new Date(ts);
    try {
      // Vietnam time whatever the device's clock zone (a phone set abroad, a server browser).
      return d.toLocaleTimeString("vi-VN", {hour: "2-digit", minute: "2-digit",
                                            timeZone: "Asia/Ho_Chi_Minh"});
    } catch (e) {
      return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    }
  }

  // Another tab acknowledged (or received) an alert: mirror it here.
  window.addEventListener("storage", function (e) {
    if (e.key !== STORE_ALERTS) return;
    var all = storedAlerts();
    var shown = banners.querySelectorAll(".live-banner");
    for (var i = 0; i < shown.length; i++) {
      var id = shown[i].getAttribute("data-id");
      if (!all[id]) removeBanner(id);
    }
    Object.keys(all).forEach(function (id) { showBanner(all[id].ev, false); });
  });

  /* ---------- what the server says still rings ---------- */

  // Alerts live on the server until somebody acknowledges them: on every page load and
  // after every reconnect the page asks which ones this officer should act on and rings
  // for them — an officer who signs in after the tip arrived hears it too. Banners of
  // alerts the server no longer lists (acknowledged while this browser was away) go.
  function syncRinging() {
    if (!ringingUrl || !window.fetch) return;
    var asked = Date.now();
    fetch(ringingUrl, {
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" },
      cache: "no-store",
    }).then(function (r) {
      return r.ok && /json/.test(r.headers.get("Content-Type") || "") ? r.json() : null;
    }).then(function (data) {
      if (!data || !Array.isArray(data.alerts)) return;
      var listed = {};
      var rang = false;
      data.alerts.forEach(function (ev) {
        if (!ev || !ev.id) return;
        var p = ev.payload || {};
        if (p.alert_id != null) listed[String(p.alert_id)] = true;
        var level = levelOf(ev);
        if (level === "critical") {
          if (banners.querySelector('[data-id="' + CSS.escape(ev.id) + '"]')) return;
          var key = caseKey(ev);
          var same = key ? banners.querySelectorAll('[data-case="' + CSS.escape(key) + '"]') : [];
          for (var i = 0; i < same.length; i++) {
            // The live event of this very alert (same alert, same level) is already shown.
            var shown = storedAlerts()[same[i].getAttribute("data-id")];
            var sp = shown && shown.ev && shown.ev.payload || {};
            if (sp.alert_id === p.alert_id && sp.level === p.level) return;
          }
          var all = storedAlerts();
          all[ev.id] = { ts: Date.now(), ev: ev };
          write(localStorage, STORE_ALERTS, all);
          showBanner(ev, false);
          notify(ev);
          rang = true;
        } else if (level === "high" && !seenBefore(ev.id)) {
          showToast(ev);
        }
      });
      var stored = storedAlerts();
      Object.keys(stored).forEach(function (id) {
        var sp = (stored[id].ev || {}).payload || {};
        if (sp.alert_id != null && !listed[String(sp.alert_id)] && stored[id].ts < asked) forget(id);
      });
      if (rang || banners.children.length) alarm();
    }).catch(function () { /* offline: the stored banners remain */ });
  }
  api.syncRinging = syncRinging;

  /* ---------- high: toast ---------- */

  function showToast(ev) {
    var p = ev.payload || {};
    var box = el("div", "live-toast");
    box.setAttribute("role", "status");
    var head = el("div", "live-toast-head");
    head.appendChild(el("strong", null, titleOf(ev)));
    if (p.code) head.appendChild(el("span", "live-code", p.code));
    var close = el("button", "live-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Đóng");
    close.addEventListener("click", function () { box.remove(); });
    head.appendChild(close);
    box.appendChild(head);
    if (p.summary) box.appendChild(el("p", "live-toast-summary", p.summary));
    var link = safePath(p.url);
    if (link) {
      var a = el("a", "live-open", "Mở tin báo");
      a.href = link;
      box.appendChild(a);
    }
    toasts.appendChild(box);
    while (toasts.children.length > 4) toasts.removeChild(toasts.firstChild);
    setTimeout(function () { if (box.parentNode) box.remove(); }, 12000);
  }

  /* ---------- events ---------- */

  function seenBefore(id) {
    var seen = read(sessionStorage, STORE_SEEN, []);
    if (seen.indexOf(id) >= 0) return true;
    seen.push(id);
    if (seen.length > 300) seen = seen.slice(-300);
    write(sessionStorage, STORE_SEEN, seen);
    return false;
  }

  function onEvent(msg) {
    var ev;
    try { ev = JSON.parse(msg.data); } catch (e) { return; }
    if (!ev || !ev.id || seenBefore(ev.id)) return;
    write(sessionStorage, STORE_LAST, ev.id);
    var level = levelOf(ev);
    if (ev.kind === "alert.ack") {
      caseAcknowledged(ev);
    } else if (level === "critical") {
      var all = storedAlerts();
      all[ev.id] = { ts: Date.now(), ev: ev };
      write(localStorage, STORE_ALERTS, all);
      showBanner(ev, true);
    } else if (level === "high") {
      showToast(ev);
    }
    emit(ev.kind, ev);
  }

  /* ---------- connection ---------- */

  function setState(s) {
    api.state = s;
    root.setAttribute("data-state", s);
    if (s === "open") {
      clearTimeout(offlineTimer);
      offlineTimer = null;
      status.hidden = true;
    } else if (!offlineTimer && s !== "off") {
      // Say so only when it lasts: a blip while reconnecting is normal.
      offlineTimer = setTimeout(function () { status.hidden = false; }, 8000);
    }
  }

  function kick() {
    clearTimeout(watchdog);
    watchdog = setTimeout(function () { reconnect(0); }, heartbeatMs * 2.5);
  }

  function connect() {
    clearTimeout(retryTimer);
    if (loggedOut) return;
    var last = read(sessionStorage, STORE_LAST, null);
    var target = url;
    if (last) target += (url.indexOf("?") >= 0 ? "&" : "?") + "last_event_id=" + encodeURIComponent(last);
    var crossOrigin = new URL(target, location.href).origin !== location.origin;
    es = new EventSource(target, { withCredentials: crossOrigin });
    setState("connecting");
    es.addEventListener("hello", function (m) {
      try { heartbeatMs = (JSON.parse(m.data).heartbeat || 20) * 1000; } catch (e) {}
      retryDelay = 2000;
      setState("open");
      kick();
      // A reconnect may have missed alerts (and acknowledgements): ask the server again.
      if (hellos++ > 0) syncRinging();
    });
    es.addEventListener("hb", kick);
    es.addEventListener("resync", function () { emit("resync", { kind: "resync" }); });
    es.addEventListener("logout", function () {
      loggedOut = true;
      es.close();
      setState("off");
    });
    es.onmessage = function (m) { kick(); onEvent(m); };
    es.onopen = function () { kick(); };
    es.onerror = function () {
      if (es.readyState === EventSource.CLOSED) {
        reconnect(retryDelay); // refused (signed out, server full): back off
        retryDelay = Math.min(retryDelay * 2, 60000);
      } else {
        setState("connecting"); // the browser retries by itself, with Last-Event-ID
      }
    };
  }

  function reconnect(delay) {
    if (es) es.close();
    clearTimeout(watchdog);
    setState("connecting");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  // Phones freeze background tabs: on return, make sure the stream is alive.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && es && es.readyState === EventSource.CLOSED) {
      reconnect(0);
    }
  });
  window.addEventListener("online", function () { reconnect(0); });

  var pending = storedAlerts();
  write(localStorage, STORE_ALERTS, pending);
  Object.keys(pending).forEach(function (id) { showBanner(pending[id].ev, false); });
  syncRinging();
  connect();
})();
