/* 帮扶走访: offline-first phone pages. A visit is first kept in IndexedDB (idb-keyval) with the id the
 * phone made for it, then sent; a send that fails stays queued and goes when the network returns.
 * The server stores a client id once, so a retried send never makes a second visit. */
(function () {
  "use strict";
  var body = document.body;
  var kv = window.idbKeyval;
  var QUEUE = "field-queue";
  var LAST = "field-last-sync";
  var PAGES = "field-pages"; // the service worker's page cache (field/sw.js)
  var PHOTOS = "field-photos"; // … and its photo cache
  var user = body.dataset.user || "";
  var csrf = null;
  var syncing = false;

  function $(id) { return document.getElementById(id); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  function queue() { return kv ? kv.get(QUEUE).then(function (q) { return q || []; }) : Promise.resolve([]); }
  function mine(q) { return q.filter(function (x) { return x.user === user; }); }

  function render() {
    var net = $("net");
    if (net) { net.textContent = navigator.onLine ? "在线" : "离线"; net.classList.toggle("off", !navigator.onLine); }
    if (!kv || !user) return Promise.resolve();
    return Promise.all([queue(), kv.get(LAST)]).then(function (r) {
      var q = mine(r[0]);
      if ($("pending")) $("pending").textContent = q.length;
      if ($("lastsync")) $("lastsync").textContent = r[1] || "尚未同步";
      var box = $("queued");
      if (!box) return;
      box.textContent = "";
      q.filter(function (x) { return String(x.household) === box.dataset.household; }).forEach(function (x) {
        var div = document.createElement("div");
        div.className = "queued";
        var b = document.createElement("b");
        var d = (x.date || "").split("-");
        b.textContent = "待上传 · " + (d.length === 3 ? d[0] + "年" + Number(d[1]) + "月" + Number(d[2]) + "日" : x.date);
        var p = document.createElement("p");
        p.textContent = x.summary + (x.photos.length ? "（照片 " + x.photos.length + " 张）" : "");
        div.appendChild(b); div.appendChild(p);
        if (x.error) { var e = document.createElement("p"); e.className = "error"; e.textContent = x.error; div.appendChild(e); }
        box.appendChild(div);
      });
    });
  }

  function errorText(data) {
    var out = [];
    Object.keys((data && data.errors) || {}).forEach(function (k) {
      data.errors[k].forEach(function (e) { out.push(e.message); });
    });
    return out.join("；") || "上传失败，请检查填写内容";
  }

  // One send of one queued visit. Resolves "sent", "kept" (no network / not logged in) or "refused".
  function send(item) {
    var fd = new FormData();
    item.fields.forEach(function (kvp) { fd.append(kvp[0], kvp[1]); });
    fd.append("client_id", item.id);
    item.photos.forEach(function (p) { fd.append("photos", p.blob, p.name); });
    var headers = { "X-Requested-With": "fetch" };
    var token = csrf || cookie("csrftoken") || (document.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
    if (token) headers["X-CSRFToken"] = token;
    return fetch(item.action, { method: "POST", body: fd, headers: headers, credentials: "same-origin", redirect: "manual" })
      .then(function (r) {
        if (r.ok) return "sent";
        if (r.status === 400) return r.json().then(function (d) { item.error = errorText(d); return "refused"; });
        if (r.status === 404) { item.error = "该户已不在您的帮扶范围内，无法上传"; return "refused"; }
        item.error = "登录已过期，请重新登录后自动上传";
        return "kept";
      })
      .catch(function () { return "kept"; });
  }

  function setQueue(fn) { return kv.update(QUEUE, function (q) { return fn(q || []); }); }

  function flush() {
    return queue().then(function (all) {
      var todo = mine(all).filter(function (x) { return !x.error || x.error.indexOf("登录") === 0; });
      return todo.reduce(function (chain, item) {
        return chain.then(function () {
          return send(item).then(function (result) {
            return setQueue(function (q) {
              if (result === "sent") return q.filter(function (x) { return x.id !== item.id; });
              return q.map(function (x) { return x.id === item.id ? item : x; });
            });
          });
        });
      }, Promise.resolve());
    });
  }

  // Keep the pages of the user's households on the phone; drop those no longer theirs.
  function refreshPages(pages) {
    if (!window.caches) return Promise.resolve();
    return caches.open(PAGES).then(function (cache) {
      var wanted = {};
      pages.forEach(function (u) { wanted[new URL(u, location.href).pathname] = true; });
      var drop = cache.keys().then(function (keys) {
        return Promise.all(keys.map(function (req) {
          var path = new URL(req.url).pathname;
          if (!wanted[path]) return cache.delete(req);
        }));
      });
      var few = pages.length <= 160 ? pages : pages.slice(0, 2);
      var fetches = few.map(function (u) {
        return fetch(u, { credentials: "same-origin" }).then(function (r) {
          if (r.ok && !r.redirected) return cache.put(u, r);
        }).catch(function () {});
      });
      return Promise.all([drop].concat(fetches));
    });
  }

  // Keep the photos of the user's household cards; drop the others (a household that left them).
  function refreshPhotos(photos) {
    if (!window.caches || !photos) return Promise.resolve();
    var wanted = {};
    photos.forEach(function (u) { wanted[new URL(u, location.href).pathname] = true; });
    return caches.open(PHOTOS).then(function (cache) {
      return cache.keys().then(function (keys) {
        var have = {};
        return Promise.all(keys.map(function (req) {
          var path = new URL(req.url).pathname;
          if (!wanted[path]) return cache.delete(req);
          have[path] = true;
        })).then(function () {
          // fetched through the page so the service worker's photo route stores them
          return photos.filter(function (u) { return !have[new URL(u, location.href).pathname]; }).reduce(function (chain, u) {
            return chain.then(function () { return fetch(u, { credentials: "same-origin" }).catch(function () {}); });
          }, Promise.resolve());
        });
      });
    });
  }

  function sync() {
    if (syncing || !user || !navigator.onLine || !body.dataset.sync) return Promise.resolve();
    syncing = true;
    return fetch(body.dataset.sync, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || data.user !== user) return null;
        csrf = data.csrf;
        return flush().then(function () { return refreshPages(data.pages); }).then(function () {
          return refreshPhotos(data.photos);
        }).then(function () {
          return kv.set(LAST, data.now);
        });
      })
      .catch(function () {})
      .then(function () { syncing = false; body.dataset.synced = "1"; return render(); });
  }

  // ---- photos: shrunk in the browser (longest side 1600 px, JPEG) before they are kept or sent
  var shrunk = [];
  function shrink(file) {
    var make = window.createImageBitmap ? createImageBitmap(file) : Promise.reject();
    return make.then(function (bmp) {
      var scale = Math.min(1, 1600 / Math.max(bmp.width, bmp.height));
      var c = document.createElement("canvas");
      c.width = Math.round(bmp.width * scale); c.height = Math.round(bmp.height * scale);
      c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
      return new Promise(function (ok) {
        c.toBlob(function (blob) { ok({ blob: blob, name: (file.name || "photo").replace(/\.\w+$/, "") + ".jpg", canvas: c }); }, "image/jpeg", 0.8);
      });
    });
  }
  function bindPhotos(input) {
    var box = $("previews");
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      Promise.all(files.map(function (f) { return shrink(f).catch(function () { return { blob: f, name: f.name }; }); }))
        .then(function (list) {
          list.forEach(function (p) {
            shrunk.push({ blob: p.blob, name: p.name });
            if (p.canvas && box) box.appendChild(p.canvas);
          });
          if (input.hasAttribute("data-shrink") && window.DataTransfer) {
            var dt = new DataTransfer();
            shrunk.forEach(function (p) { dt.items.add(new File([p.blob], p.name, { type: p.blob.type })); });
            input.files = dt.files;
          }
        });
    });
  }

  // ---- location from the browser, with its accuracy
  function locate(form) {
    var out = $("geo");
    if (!navigator.geolocation) { if (out) out.textContent = "本机不支持定位（可不填）"; return; }
    if (out) out.textContent = "正在获取位置…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.latitude.value = pos.coords.latitude.toFixed(6);
      form.elements.longitude.value = pos.coords.longitude.toFixed(6);
      form.elements.accuracy_m.value = Math.round(pos.coords.accuracy);
      if (out) out.textContent = "已定位，精度约 " + Math.round(pos.coords.accuracy) + " 米";
    }, function () {
      if (out) out.textContent = "未能获取位置（可不填，到户后可重新定位）";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  // A form kept on the phone first (记录走访, 入户核实): data-date-field and data-text-field name the
  // fields its 待上传 line shows; data-card is where the user goes when it is saved.
  function bindOffline(form) {
    var date = form.elements[form.dataset.dateField];
    if (date && !date.value) date.value = today();
    if (date) date.max = today();
    if ($("geo")) {
      locate(form);
      $("geo-again").addEventListener("click", function () { locate(form); });
    }
    form.addEventListener("submit", function (ev) {
      if (!kv) return; // no IndexedDB: the plain form post still works
      ev.preventDefault();
      var fields = [];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "file" || el.name === "client_id" || el.name === "csrfmiddlewaretoken") return;
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
        fields.push([el.name, el.value]);
      });
      var text = (form.elements[form.dataset.textField].value || "").trim();
      var item = {
        id: form.elements.client_id.value || newId(), user: user, household: form.dataset.household,
        action: form.action || location.pathname, fields: fields, photos: shrunk.slice(),
        date: date ? date.value : today(), summary: (form.dataset.label || "") + text.slice(0, 40),
        saved: new Date().toISOString(),
      };
      form.elements.client_id.value = item.id; // a second tap sends the same id
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      setQueue(function (q) { return q.filter(function (x) { return x.id !== item.id; }).concat([item]); })
        .then(function () { return navigator.onLine ? send(item) : "kept"; })
        .then(function (result) {
          if (result === "sent") {
            return setQueue(function (q) { return q.filter(function (x) { return x.id !== item.id; }); }).then(function () {
              return kv.set(LAST, new Date().toLocaleString("zh-CN", { hour12: false }).slice(0, 16));
            }).then(function () { location.href = form.dataset.card; });
          }
          if (result === "refused") {
            return setQueue(function (q) { return q.filter(function (x) { return x.id !== item.id; }); }).then(function () {
              var box = $("form-errors"); box.hidden = false; box.textContent = item.error; button.disabled = false;
              window.scrollTo(0, 0);
            });
          }
          location.href = form.dataset.card; // kept on the phone: the card shows it as 待上传
        });
    });
  }

  function clearPages() {
    return window.caches ? Promise.all([caches.delete(PAGES), caches.delete(PHOTOS)]) : Promise.resolve();
  }

  document.addEventListener("DOMContentLoaded", function () {
    // A whole ID number never goes into an address (core.privacy): the search takes its last six digits.
    var search = $("search");
    if (search) search.addEventListener("submit", function () {
      var q = search.elements.q;
      var v = q.value.replace(/\s+/g, "").toUpperCase();
      if (/^\d{17}[\dX]$/.test(v)) q.value = v.slice(-6);
    });
    var photos = $("id_photos");
    if (photos) bindPhotos(photos);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-offline]"), bindOffline);
    if (document.querySelector("[data-clear-cache]")) clearPages();
    var logout = $("logout");
    if (logout) logout.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearPages().then(function () { logout.submit(); });
    });
    if ("serviceWorker" in navigator && body.dataset.sw && user) {
      navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(function () {});
    }
    window.addEventListener("online", function () { render(); sync(); });
    window.addEventListener("offline", render);
    render().then(sync);
  });
})();
