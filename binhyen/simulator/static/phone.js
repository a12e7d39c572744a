// Citizen phone page of the Zalo simulator. Everything a citizen typed is shown through
// textContent only, so it can never become markup.
(function () {
  "use strict";

  var phone = document.getElementById("phone");
  var cfg = JSON.parse(phone.getAttribute("data-config"));
  var conv = document.getElementById("conversation");
  var statusBox = document.getElementById("status");
  var textBox = document.getElementById("text");
  var followBtn = document.getElementById("follow");
  var isFollower = followBtn.textContent.trim() !== "Quan tâm";
  var lastSignature = "";
  var busy = false;

  function node(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined && text !== null) el.textContent = text;
    return el;
  }

  function safeUrl(url) {
    // Only our own media URLs are expected; refuse anything that is not http(s).
    return typeof url === "string" && /^https?:\/\//.test(url) ? url : "";
  }

  function renderItem(m) {
    if (m.direction === "event") {
      var label = m.kind === "follow" ? "Bạn đã quan tâm trang" : "Bạn đã bỏ quan tâm trang";
      return node("div", "event", label + " · " + m.time);
    }
    var b = node("div", "bubble " + (m.direction === "in" ? "in" : "out"));
    if (m.kind === "image" && safeUrl(m.url)) {
      var img = node("img", "photo");
      img.src = safeUrl(m.url);
      img.alt = "";
      b.appendChild(img);
    }
    if (m.kind === "sticker" && m.label) b.appendChild(node("div", "big", m.label));
    if (m.kind === "location" && m.latitude !== null) {
      b.appendChild(node("div", "loc", "📍 " + m.latitude.toFixed(5) + ", " + m.longitude.toFixed(5)));
    }
    if (m.kind === "file") {
      var a = node("a", "file", "📄 " + (m.label || "tệp"));
      a.href = safeUrl(m.url);
      b.appendChild(a);
    }
    if (m.text) b.appendChild(node("div", "text", m.text));
    b.appendChild(node("div", "meta", m.time + (m.mark ? " · " + m.mark : "")));
    return b;
  }

  function say(message, ok) {
    statusBox.textContent = message || "";
    statusBox.className = "status" + (ok ? " ok" : "");
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    });
  }

  function refresh() {
    var url = "/_sim/api/conversation?oa_id=" + encodeURIComponent(cfg.oa_id) +
      "&user_id=" + encodeURIComponent(cfg.user_id);
    return fetch(url).then(function (r) { return r.json(); }).then(function (data) {
      isFollower = data.follower;
      followBtn.textContent = isFollower ? "Bỏ quan tâm" : "Quan tâm";
      var signature = JSON.stringify(data.messages);
      if (signature !== lastSignature) {
        lastSignature = signature;
        conv.replaceChildren();
        if (!data.messages.length) {
          conv.appendChild(node("p", "empty", "Chưa có tin nhắn. Hãy gửi tin đầu tiên cho trang."));
        }
        data.messages.forEach(function (m) { conv.appendChild(renderItem(m)); });
        conv.scrollTop = conv.scrollHeight;
      }
      // The citizen "sees" police replies only while the page is actually visible.
      var unseen = data.messages.filter(function (m) {
        return m.direction === "out" && !m.seen;
      }).map(function (m) { return m.msg_id; });
      if (unseen.length && document.visibilityState === "visible") {
        postJson("/_sim/api/seen", { oa_id: cfg.oa_id, user_id: cfg.user_id, msg_ids: unseen });
      }
    }).catch(function () { say("Mất kết nối tới máy giả lập"); });
  }

  function send(body) {
    if (busy) return Promise.resolve();
    busy = true;
    say("Đang gửi…", true);
    body.oa_id = cfg.oa_id;
    body.persona = cfg.persona;
    body.display_name = cfg.display_name;
    return postJson("/_sim/api/send", body).then(function (res) {
      if (res.status !== 200) {
        say(res.data.error || "Không gửi được");
      } else if (res.data.webhook_status >= 200 && res.data.webhook_status < 300) {
        say("Đã gửi tới trang", true);
      } else {
        say("Zalo đã nhận nhưng webhook trả lời " + (res.data.webhook_status || "không kết nối"));
      }
      return refresh();
    }).catch(function () { say("Không gửi được"); }).then(function () { busy = false; });
  }

  document.getElementById("composer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = textBox.value.trim();
    if (!text) return;
    send({ kind: "text", text: text }).then(function () { textBox.value = ""; });
  });
  textBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      document.getElementById("composer").requestSubmit();
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll(".chip"), function (chip) {
    chip.addEventListener("click", function () {
      textBox.value = chip.getAttribute("data-text");
      textBox.focus();
    });
  });

  document.getElementById("photo").addEventListener("change", function (ev) {
    var file = ev.target.files[0];
    if (!file) return;
    if (file.size > 5 * 1024 * 1024) { say("Ảnh lớn hơn 5 MB"); return; }
    var reader = new FileReader();
    reader.onload = function () {
      var b64 = String(reader.result).split(",")[1] || "";
      send({ kind: "image", image_b64: b64, text: textBox.value.trim() }).then(function () {
        textBox.value = "";
        ev.target.value = "";
      });
    };
    reader.readAsDataURL(file);
  });

  function toggle(id) {
    ["tray-stickers", "tray-location"].forEach(function (other) {
      var el = document.getElementById(other);
      el.hidden = other === id ? !el.hidden : true;
    });
  }
  document.getElementById("btn-sticker").addEventListener("click", function () { toggle("tray-stickers"); });
  document.getElementById("btn-location").addEventListener("click", function () { toggle("tray-location"); });

  Array.prototype.forEach.call(document.querySelectorAll(".sticker"), function (btn) {
    btn.addEventListener("click", function () {
      send({ kind: "sticker", sticker_id: btn.getAttribute("data-sticker") });
      toggle(null);
    });
  });

  var place = document.getElementById("place");
  place.addEventListener("change", function () {
    document.getElementById("coords").hidden = place.value !== "custom";
  });
  document.getElementById("send-location").addEventListener("click", function () {
    var lat, lon;
    if (place.value === "custom") {
      lat = parseFloat(document.getElementById("lat").value.replace(",", "."));
      lon = parseFloat(document.getElementById("lon").value.replace(",", "."));
    } else {
      var parts = place.value.split(",");
      lat = parseFloat(parts[0]);
      lon = parseFloat(parts[1]);
    }
    if (isNaN(lat) || isNaN(lon)) { say("Tọa độ không hợp lệ"); return; }
    var note = document.getElementById("loc-text");
    send({ kind: "location", latitude: lat, longitude: lon, text: note.value.trim() }).then(function () {
      note.value = "";
      toggle(null);
    });
  });

  followBtn.addEventListener("click", function () {
    send({ kind: isFollower ? "unfollow" : "follow" });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-autosubmit]"), function (sel) {
    sel.addEventListener("change", function () {
      var form = sel.form;
      // A preset persona replaces a typed name; a page change keeps it.
      if (sel.name === "p" && form.elements.name) form.elements.name.value = "";
      form.submit();
    });
  });

  document.getElementById("inject").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = ev.target;
    var mode = f.elements.mode.value.split(":");
    var body = { path: f.elements.path.value, times: parseInt(f.elements.times.value, 10) || 1 };
    body[mode[0]] = Number(mode[1]);
    postJson("/_sim/inject", body).then(function (res) {
      say(res.status === 200 ? "Đã gài lỗi" : (res.data.error || "Không gài được"), res.status === 200);
    });
  });

  refresh();
  setInterval(refresh, 2000);
})();
