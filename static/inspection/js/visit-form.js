/*
 * The mystery shopper's form. Every change goes to localStorage at once and to
 * the server shortly after (when online), carrying the revision it started from
 * so that two tabs on one draft never overwrite each other silently. A save whose
 * answer never came is sent again, unchanged and under the same id, before
 * anything newer: the server recognises it, so a lost answer is never taken for
 * a conflict. The live score comes from scoring.js and the standard's rules JSON;
 * the server's figure, computed at submission, is final.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("visit-data").textContent);
  var T = JSON.parse(document.getElementById("visit-text").textContent);
  var Scoring = window.InspectionScoring;
  // Everything the device keeps is under the user's id, so that on a shared tablet
  // nobody reads another inspector's draft, photos or page.
  var DRAFT_KEY = "visit-draft-" + data.user + "-" + data.visit;
  var PHOTO_KEY = "visit-photos-" + data.user + "-" + data.visit;
  var PAGE_CACHE = "visit-pages-" + data.user;
  var DEVICE_KEY = "visit-device-" + data.user;
  var MAX_SIDE = 1600;

  var rules = null;
  var itemsByCode = {};
  var conflict = null;
  var inflight = null;
  var photosInflight = null;
  var timer = null;
  var photos = data.photos.slice();
  var pending = (readJSON(PHOTO_KEY) || []).filter(function (entry) {
    // Uploaded, though the answer was lost: the page already lists it.
    return !photos.some(function (p) { return p.key === entry.key; });
  });
  var device = deviceId();
  var state = initialState();

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function readJSON(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }

  function deviceId() {
    try {
      var id = localStorage.getItem(DEVICE_KEY);
      if (!id) {
        id = newKey();
        localStorage.setItem(DEVICE_KEY, id);
      }
      return id;
    } catch (e) {
      return newKey();
    }
  }

  function initialState() {
    var local = readJSON(DRAFT_KEY);
    var fromPage = {
      revision: data.revision, visited_at: data.visited_at, findings: data.findings,
      dirty: false, outbox: null, stopwatches: {}, tab: null,
    };
    if (!local) return fromPage;
    // Unsaved changes stay even if the server has a newer revision: it may be their
    // own save, whose answer was lost. Sending them again lets the server tell.
    if (local.dirty || local.outbox || local.revision >= data.revision) return local;
    fromPage.tab = local.tab;
    return fromPage;
  }

  function persist() {
    state.label = data.label;
    try { localStorage.setItem(DRAFT_KEY, JSON.stringify(state)); } catch (e) { /* full: the server copy still counts */ }
  }

  function finding(code) {
    var f = state.findings[code];
    if (!f) {
      f = state.findings[code] = {
        occurrences: 0, points: [], measurement: null, peak: false, na: false, na_reason: "", note: "",
      };
    }
    return f;
  }

  // --- Saving ---------------------------------------------------------------

  function setSaveState(name) {
    var el = document.getElementById("save-state");
    el.textContent = T[name];
    el.className = "vf-state vf-state-" + name;
    el.dataset.state = name;
  }

  function changed() {
    state.dirty = true;
    persist();
    render();
    if (conflict) showConflict();
    else setSaveState(navigator.onLine === false ? "offline" : "unsaved");
    clearTimeout(timer);
    timer = setTimeout(sync, 600);
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : data.csrf;
  }

  function post(url, body, contentType) {
    var headers = { "X-CSRFToken": csrfToken() };
    if (contentType) headers["Content-Type"] = contentType;
    return fetch(url, { method: "POST", headers: headers, body: body, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (response.redirected || type.indexOf("json") < 0) {
          // A redirect is the login page; anything else (a proxy's error page) is
          // a connection that failed on the way and is retried like one.
          var error = new Error("unexpected answer");
          error.login = response.redirected;
          throw error;
        }
        return response.json().then(function (json) { return { status: response.status, body: json }; });
      });
  }

  // The server refuses an N/A without its reason; wait for it rather than fail.
  function missingReason() {
    return Object.keys(state.findings).some(function (code) {
      var f = state.findings[code];
      return f.na && !(f.na_reason || "").trim();
    });
  }

  function content(copy) { return JSON.stringify([copy.visited_at, copy.findings]); }

  // Resolves once every change is saved, or when saving has to wait (offline,
  // conflict, a refusal to show).
  function sync() {
    if (inflight) return inflight;
    if (conflict || !(state.dirty || state.outbox)) return Promise.resolve();
    if (navigator.onLine === false) { setSaveState("offline"); return Promise.resolve(); }
    if (!state.outbox) {
      if (missingReason()) { setSaveState("need_reason"); return Promise.resolve(); }
      state.outbox = JSON.parse(JSON.stringify({
        device: device, save_id: newKey(), revision: state.revision,
        visited_at: state.visited_at, findings: state.findings,
      }));
      persist();
    }
    var outbox = state.outbox;
    setSaveState("syncing");
    inflight = post(data.save_url, JSON.stringify(outbox), "application/json")
      .then(function (result) {
        state.outbox = null;
        if (result.status === 200) {
          state.revision = result.body.revision;
          if (content(outbox) === content(state)) state.dirty = false;
          hideError();
          setSaveState(state.dirty ? "unsaved" : "saved");
        } else if (result.status === 409) {
          conflict = result.body;
          showConflict();
          // The banner asks for a decision: bring it into view.
          window.scrollTo(0, 0);
        } else {
          showError((result.body.errors || []).join(" "));
          setSaveState("failed");
        }
        persist();
        return result.status === 200;
      })
      .catch(function (error) {
        setSaveState(error.login ? "login" : "offline");
        return false;
      })
      .then(function (saved) {
        inflight = null;
        if (saved) {
          flushPhotos();
          return sync();
        }
      });
    return inflight;
  }

  // --- Conflicts ------------------------------------------------------------

  function describe(f) {
    if (!f) return T.blank;
    var parts = [];
    if (f.na) parts.push(T.na + (f.na_reason || "").trim());
    if (f.occurrences) parts.push(fmt(T.times, { n: f.occurrences }));
    if (f.points && f.points.length) parts.push(T.points + f.points.join(T.list));
    if (f.measurement !== null && f.measurement !== undefined) {
      parts.push(T.measured + f.measurement + (f.peak ? T.peak : ""));
    }
    if ((f.note || "").trim()) parts.push(T.note + f.note.trim());
    return parts.join(T.separator) || T.blank;
  }

  // What this page holds against the saved version, item by item, in the form's order.
  function differences() {
    var rows = [];
    if (state.visited_at !== conflict.visited_at) {
      rows.push({
        code: "", label: T.visited_at,
        mine: state.visited_at.replace("T", " "), theirs: conflict.visited_at.replace("T", " "),
      });
    }
    $all(".vf-item").forEach(function (article) {
      var code = article.dataset.code;
      var mine = describe(state.findings[code]);
      var theirs = describe(conflict.findings[code]);
      if (mine !== theirs) {
        rows.push({ code: code, label: code + " " + $(".vf-text", article).textContent, mine: mine, theirs: theirs });
      }
    });
    return rows;
  }

  function showConflict() {
    $("#conflict-banner").hidden = !conflict;
    if (!conflict) return;
    setSaveState("conflict");
    var body = $("#conflict-diff tbody");
    body.textContent = "";
    differences().forEach(function (row) {
      var tr = document.createElement("tr");
      tr.dataset.code = row.code;
      [row.label, row.mine, row.theirs].forEach(function (text) {
        var cell = document.createElement("td");
        cell.textContent = text;
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
  }

  function showError(text) {
    var el = $("#error-banner");
    el.textContent = text;
    el.hidden = !text;
  }
  function hideError() { showError(""); }

  function resolveConflict(choice) {
    if (!conflict) return;
    if (choice === "server") {
      state.findings = conflict.findings;
      state.visited_at = conflict.visited_at;
      state.revision = conflict.revision;
      state.dirty = false;
      conflict = null;
      persist();
      applyAll();
      setSaveState("saved");
    } else {
      state.revision = conflict.revision;
      conflict = null;
      changed();
    }
    showConflict();
  }

  // --- Rendering ------------------------------------------------------------

  function render() {
    var score = rules ? Scoring.scoreVisit(rules, data.store, state.findings) : null;
    $all(".vf-item").forEach(function (article) { renderItem(article, score); });
    if (!score) return;
    Object.keys(score.sections).forEach(function (code) {
      var el = $('[data-remaining="' + code + '"]');
      if (el) el.textContent = score.sections[code];
    });
    $("#total").textContent = score.total;
    $("#total").classList.toggle("vf-zero", score.zeroed);
    $("#zeroing-banner").hidden = !score.zeroed;
  }

  function renderItem(article, score) {
    var code = article.dataset.code;
    var f = state.findings[code] || {};
    var item = itemsByCode[code];
    var badge = $("[data-deduction]", article);
    var points = score ? score.deductions[code] || 0 : 0;
    badge.hidden = !points;
    badge.textContent = "−" + points;
    article.classList.toggle("vf-has-finding", Boolean(points));
    if (article.classList.contains("vf-item-na")) return;
    article.classList.toggle("vf-marked-na", Boolean(f.na));
    var reason = $('[data-field="na_reason"]', article);
    reason.hidden = !f.na;
    reason.classList.toggle("vf-invalid", Boolean(f.na) && !(f.na_reason || "").trim());
    var output = $('output[data-field="occurrences"]', article);
    if (output) {
      var n = f.occurrences || 0;
      output.textContent = n;
      $('[data-step="-1"]', article).disabled = f.na || n <= 0;
      $('[data-step="1"]', article).disabled = f.na || ("once" in article.dataset && n >= 1);
    }
    var list = $("[data-points]", article);
    if (list) renderPoints(article, list, f);
    var limit = $("[data-limit]", article);
    if (limit && item) renderLimit(limit, item, f, points);
    var stopwatch = $("[data-stopwatch]", article);
    if (stopwatch) {
      var running = Boolean(state.stopwatches[code]);
      stopwatch.textContent = running ? T.stop : T.start;
      stopwatch.classList.toggle("vf-running", running);
      stopwatch.disabled = Boolean(f.na);
    }
    $all("[data-add-point], [data-photo], .vf-number, [data-field='peak'], [data-field='lapse']", article).forEach(function (el) {
      if (el.matches("[data-photo]")) return;
      el.disabled = Boolean(f.na);
    });
  }

  function renderPoints(article, list, f) {
    var template = $("[data-point-template]", article);
    var values = f.points || [];
    while (list.children.length > values.length) list.removeChild(list.lastChild);
    while (list.children.length < values.length) {
      list.appendChild(template.content.firstElementChild.cloneNode(true));
    }
    values.forEach(function (value, index) {
      var li = list.children[index];
      li.dataset.index = index;
      $(".vf-point-label", li).textContent = fmt(T.point, { n: index + 1 });
      $all(".vf-chip", li).forEach(function (chip) {
        chip.classList.toggle("vf-active", Number(chip.dataset.value) === value);
        chip.disabled = Boolean(f.na);
      });
    });
  }

  function renderLimit(el, item, f, points) {
    var m = f.measurement;
    var hasValue = m !== null && m !== undefined && m !== "";
    var parts = [];
    var zeroed = false;
    if (item.kind === "count") {
      parts.push(fmt(T.required, { count: item.required_count[data.store.location_class] }));
      if (hasValue && !f.na) parts.push(points ? fmt(T.short, { points: points }) : T.enough);
    } else if (item.kind === "zeroing") {
      zeroed = hasValue && !f.na && Number(m) >= Number(item.limit);
      parts.push(fmt(zeroed ? T.zeroed : T.zeroing, { limit: item.limit }));
    } else {
      // The limit speaks of the minutes only: an observed lapse (A4-03) deducts too.
      var limit = Scoring.timeLimit(item, data.store, f.peak);
      parts.push(fmt(T.limit, { limit: limit }));
      if (hasValue && !f.na) parts.push(Number(m) > limit ? fmt(T.exceeded, { points: item.points }) : T.within);
    }
    el.textContent = parts.join(T.separator);
    el.classList.toggle("vf-bad", Boolean(points) || zeroed);
  }

  // Writes the state into the inputs (on load, and after taking the server's copy).
  function applyAll() {
    $("#visited-at").value = state.visited_at;
    $all(".vf-item").forEach(function (article) {
      if (article.classList.contains("vf-item-na")) return;
      var f = state.findings[article.dataset.code] || {};
      var number = $('[data-field="measurement"]', article);
      if (number) number.value = f.measurement === null || f.measurement === undefined ? "" : f.measurement;
      var peak = $('[data-field="peak"]', article);
      if (peak) peak.checked = Boolean(f.peak);
      var lapse = $('[data-field="lapse"]', article);
      if (lapse) lapse.checked = f.occurrences > 0;
      $('[data-field="na"]', article).checked = Boolean(f.na);
      $('[data-field="na_reason"]', article).value = f.na_reason || "";
      var note = $('[data-field="note"]', article);
      note.value = f.note || "";
      grow(note);
    });
    renderPhotos();
    render();
  }

  function grow(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = textarea.scrollHeight + 2 + "px";
  }

  // --- Input ----------------------------------------------------------------

  function onClick(event) {
    var target = event.target.closest("button");
    if (!target) return;
    var article = target.closest(".vf-item");
    if (target.dataset.tab) return showTab(target.dataset.tab);
    if (target.dataset.move) return moveTab(Number(target.dataset.move));
    if (target.dataset.conflict) return resolveConflict(target.dataset.conflict);
    if (!article) return;
    var code = article.dataset.code;
    var f = finding(code);
    if (target.dataset.step) {
      var next = Math.max(0, (f.occurrences || 0) + Number(target.dataset.step));
      if ("once" in article.dataset) next = Math.min(next, 1);
      f.occurrences = next;
      return changed();
    }
    if (target.hasAttribute("data-add-point")) {
      f.points = (f.points || []).concat([Number(target.dataset.value)]);
      return changed();
    }
    if (target.classList.contains("vf-chip")) {
      f.points[Number(target.closest("li").dataset.index)] = Number(target.dataset.value);
      return changed();
    }
    if (target.hasAttribute("data-remove-point")) {
      f.points.splice(Number(target.closest("li").dataset.index), 1);
      return changed();
    }
    if (target.hasAttribute("data-stopwatch")) return toggleStopwatch(code, article);
    if (target.dataset.removePhoto) return removePhoto(target.dataset.removePhoto);
  }

  function onInput(event) {
    var target = event.target;
    if (target.id === "visited-at") {
      if (target.value) { state.visited_at = target.value; changed(); }
      return;
    }
    var article = target.closest(".vf-item");
    var field = target.dataset.field;
    if (!article || !field) return;
    var f = finding(article.dataset.code);
    if (field === "measurement") {
      f.measurement = target.value === "" || isNaN(Number(target.value)) ? null : Number(target.value);
    } else if (field === "peak" || field === "na") {
      f[field] = target.checked;
    } else if (field === "lapse") {
      // An observed lapse is recorded as the item's one occurrence.
      f.occurrences = target.checked ? 1 : 0;
    } else {
      f[field] = target.value;
      if (field === "note") grow(target);
    }
    changed();
  }

  function toggleStopwatch(code, article) {
    var started = state.stopwatches[code];
    if (started) {
      var minutes = Math.round((Date.now() - started) / 6000) / 10;
      delete state.stopwatches[code];
      finding(code).measurement = minutes;
      $('[data-field="measurement"]', article).value = minutes;
    } else {
      state.stopwatches[code] = Date.now();
    }
    changed();
    tick();
  }

  function tick() {
    $all("[data-clock]").forEach(function (clock) {
      var started = state.stopwatches[clock.closest(".vf-item").dataset.code];
      if (!started) return;
      var seconds = Math.floor((Date.now() - started) / 1000);
      clock.textContent = Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
    });
  }

  // --- Sections -------------------------------------------------------------

  var tabs = $all(".vf-tab").map(function (tab) { return tab.dataset.tab; });

  function showTab(code) {
    if (tabs.indexOf(code) < 0) code = tabs[0];
    $all(".vf-section").forEach(function (section) { section.hidden = section.dataset.section !== code; });
    $all(".vf-tab").forEach(function (tab) {
      var active = tab.dataset.tab === code;
      tab.classList.toggle("vf-active", active);
      if (active) tab.scrollIntoView({ block: "nearest", inline: "nearest" });
    });
    $('[data-move="-1"]').disabled = code === tabs[0];
    $('[data-move="1"]').disabled = code === tabs[tabs.length - 1];
    if (state.tab !== code) {
      state.tab = code;
      persist();
      window.scrollTo(0, 0);
    }
  }

  function moveTab(step) {
    showTab(tabs[Math.min(tabs.length - 1, Math.max(0, tabs.indexOf(state.tab) + step))]);
  }

  // --- Photos ---------------------------------------------------------------

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function downscale(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) { return blob ? resolve(blob) : reject(new Error("encode")); }, "image/jpeg", 0.82);
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function toDataURL(blob) {
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.readAsDataURL(blob);
    });
  }

  // Decoded here rather than fetched: the CSP lets the page fetch from the app only.
  function fromDataURL(url) {
    var comma = url.indexOf(",");
    var bytes = atob(url.slice(comma + 1));
    var array = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
    return Promise.resolve(new Blob([array], { type: url.slice(5, url.indexOf(";")) }));
  }

  function savePending() {
    try {
      localStorage.setItem(PHOTO_KEY, JSON.stringify(pending));
      return true;
    } catch (e) {
      showError(T.photo_offline_full);
      return false;
    }
  }

  function upload(entry) {
    return fromDataURL(entry.data).then(function (blob) {
      var form = new FormData();
      form.append("item", entry.item);
      form.append("client_key", entry.key);
      form.append("image", blob, "photo.jpg");
      return post(data.photo_url, form);
    }).then(function (result) {
      if (result.status !== 200) {
        showError(T.photo_failed + (result.body.errors || []).join(" "));
      } else if (!photos.some(function (p) { return p.key === result.body.key; })) {
        photos.push(result.body);
      }
      // Accepted or refused for good: either way it leaves the queue.
      pending = pending.filter(function (p) { return p.key !== entry.key; });
      savePending();
      renderPhotos();
    });
  }

  // One upload at a time, each under its own key: a photo sent again after a lost
  // answer is recognised by the server and stored once.
  function flushPhotos() {
    if (photosInflight) return photosInflight;
    if (navigator.onLine === false || !pending.length) return Promise.resolve();
    photosInflight = pending.slice().reduce(function (chain, entry) {
      return chain.then(function () { return upload(entry); });
    }, Promise.resolve())
      .catch(function () { /* still offline: try again later */ })
      .then(function () { photosInflight = null; });
    return photosInflight;
  }

  function onPhoto(input) {
    var file = input.files && input.files[0];
    if (!file) return;
    var code = input.closest(".vf-item").dataset.code;
    input.value = "";
    downscale(file).then(toDataURL).then(function (dataUrl) {
      var entry = { key: newKey(), item: code, data: dataUrl };
      pending.push(entry);
      if (!savePending()) pending.pop();
      renderPhotos();
      flushPhotos();
    }).catch(function () { showError(T.photo_failed); });
  }

  function removePhoto(key) {
    var server = photos.filter(function (p) { return p.key === key; })[0];
    if (!server) {
      pending = pending.filter(function (p) { return p.key !== key; });
      savePending();
      return renderPhotos();
    }
    post(server.url + "delete/", new FormData()).then(function (result) {
      if (result.status !== 200) return showError((result.body.errors || []).join(" "));
      photos = photos.filter(function (p) { return p.key !== key; });
      renderPhotos();
    }).catch(function () { showError(T.photo_failed); });
  }

  function renderPhotos() {
    $all("[data-photos]").forEach(function (box) {
      var code = box.closest(".vf-item").dataset.code;
      box.textContent = "";
      photos.concat(pending).filter(function (p) { return p.item === code; }).forEach(function (p) {
        var figure = document.createElement("figure");
        figure.className = "vf-thumb" + (p.data ? " vf-pending" : "");
        var img = document.createElement("img");
        img.src = p.url || p.data;
        img.alt = code;
        figure.appendChild(img);
        if (p.data) {
          var caption = document.createElement("figcaption");
          caption.textContent = T.pending;
          figure.appendChild(caption);
        }
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "vf-remove";
        remove.dataset.removePhoto = p.key;
        remove.setAttribute("aria-label", T.remove);
        remove.textContent = "✕";
        figure.appendChild(remove);
        box.appendChild(figure);
      });
    });
  }

  // --- Start ----------------------------------------------------------------

  function goToSummary(event) {
    event.preventDefault();
    var href = event.currentTarget.href;
    if (navigator.onLine === false) return showError(T.offline_summary);
    clearTimeout(timer);
    Promise.resolve(sync()).then(function () {
      if (!state.dirty && !conflict) window.location.href = href;
    });
  }

  function retry() {
    return flushPhotos().then(sync);
  }

  // The form is ready for a lost connection once the worker controls this page and
  // holds the page and its rules: the badge tells the inspector so before they walk in.
  function registerWorker() {
    if (!("serviceWorker" in navigator) || !window.caches) return;
    navigator.serviceWorker.register(data.worker_url).then(controlled).then(function () {
      return window.InspectionSession.tellWorker();
    }).then(function () {
      return caches.open(PAGE_CACHE).then(function (cache) {
        return Promise.all([window.location.pathname, data.rules_url].map(function (url) {
          return cache.match(url, { ignoreSearch: true, ignoreVary: true }).then(function (hit) {
            return hit || cache.add(url);
          });
        }));
      });
    }).then(function () {
      document.body.dataset.offline = "ready";
      $("#offline-ready").hidden = false;
    }).catch(function () { /* the form still works online and keeps drafts in localStorage */ });
  }

  function controlled() {
    if (navigator.serviceWorker.controller) return Promise.resolve();
    return new Promise(function (resolve) {
      navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
    });
  }

  document.addEventListener("click", onClick);
  document.addEventListener("input", onInput);
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-photo]")) onPhoto(event.target);
  });
  $("#to-summary").addEventListener("click", goToSummary);
  window.addEventListener("online", function () { hideError(); retry(); });
  window.addEventListener("offline", function () { setSaveState("offline"); });
  setInterval(function () { tick(); }, 1000);
  setInterval(retry, 15000);

  // Controls every item shares are cloned here rather than repeated in the HTML,
  // which keeps the page small enough for a weak connection.
  function buildControls() {
    var fixed = document.getElementById("vf-fixed").content;
    var extra = document.getElementById("vf-extra").content;
    $all(".vf-item:not(.vf-item-na)").forEach(function (article) {
      if (article.dataset.kind === "fixed") $(".vf-controls", article).appendChild(fixed.cloneNode(true));
      $(".vf-extra", article).appendChild(extra.cloneNode(true));
    });
  }

  function stickTabs() {
    document.documentElement.style.setProperty("--vf-top", $(".vf-top").offsetHeight + "px");
  }
  window.addEventListener("resize", stickTabs);
  stickTabs();

  buildControls();
  applyAll();
  showTab(state.tab);
  setSaveState(state.dirty || state.outbox ? (navigator.onLine === false ? "offline" : "unsaved") : "saved");
  fetch(data.rules_url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (json) {
      rules = json;
      rules.items.forEach(function (item) { itemsByCode[item.code] = item; });
      render();
    })
    .catch(function () { /* no live score until the rules are reachable */ });
  retry();
  registerWorker();
})();
