/*
 * What every page does without inline script (the CSP allows none): tell the visit
 * form's service worker who is logged in, guard the logout of a shared tablet, and
 * the small behaviours pages ask for with data attributes.
 */
(function () {
  "use strict";

  var body = document.body;
  var user = body.dataset.user || "";
  var expires = user ? Number(body.dataset.sessionExpires || 0) * 1000 : 0;

  // The worker serves a kept form only to the user the pages last named, and only
  // until that session ends; a page with nobody logged in makes it drop them all.
  function tellWorker() {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    return navigator.serviceWorker.getRegistrations().then(function (registrations) {
      return Promise.all(registrations.map(function (registration) {
        var worker = registration.active;
        if (!worker) return null;
        return new Promise(function (resolve) {
          var channel = new MessageChannel();
          channel.port1.onmessage = function () { resolve(); };
          worker.postMessage({ session: { user: user, expires: expires } }, [channel.port2]);
        });
      }));
    });
  }

  function readJSON(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (e) { return null; }
  }

  function storageKeys() {
    var keys = [];
    try {
      for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
    } catch (e) { /* storage unavailable: nothing kept on this device */ }
    return keys;
  }

  // Visits of this user with changes or photos the server has not got yet, by id,
  // each with the name its form gave it.
  function unsyncedVisits() {
    var found = {};
    var pattern = new RegExp("^visit-(draft|photos)-" + user + "-(\\d+)$");
    storageKeys().forEach(function (key) {
      var match = pattern.exec(key);
      if (!match) return;
      var value = readJSON(key);
      var waiting = match[1] === "draft" ? value && (value.dirty || value.outbox) : value && value.length;
      if (!waiting) return;
      found[match[2]] = (match[1] === "draft" && value.label) || found[match[2]] || "";
    });
    return found;
  }

  function forgetDevice() {
    storageKeys().filter(function (key) { return key.indexOf("visit-") === 0; })
      .forEach(function (key) { localStorage.removeItem(key); });
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key.indexOf("visit-") === 0; })
        .map(function (key) { return caches.delete(key); }));
    });
  }

  function guardLogout(form) {
    var warning = document.getElementById("logout-warning");
    var confirmed = false;
    form.addEventListener("submit", function (event) {
      if (confirmed) return;
      var visits = unsyncedVisits();
      var ids = Object.keys(visits);
      event.preventDefault();
      if (!ids.length) {
        confirmed = true;
        forgetDevice().then(function () { form.submit(); });
        return;
      }
      var list = warning.querySelector("[data-unsynced]");
      list.textContent = "";
      ids.forEach(function (id) {
        var link = document.createElement("a");
        link.href = warning.dataset.formUrl.replace("/0/", "/" + id + "/");
        link.textContent = visits[id] || warning.dataset.visitLabel.replace("%(id)s", id);
        var item = document.createElement("li");
        item.appendChild(link);
        list.appendChild(item);
      });
      warning.hidden = false;
      warning.scrollIntoView();
    });
    warning.querySelector("[data-keep]").addEventListener("click", function () {
      warning.hidden = true;
    });
    warning.querySelector("[data-discard]").addEventListener("click", function () {
      confirmed = true;
      forgetDevice().then(function () { form.submit(); });
    });
  }

  var logout = document.getElementById("logout-form");
  if (logout) guardLogout(logout);

  var language = document.getElementById("language");
  if (language) language.addEventListener("change", function () { language.form.submit(); });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A double tap sends one request; the server also treats a repeat of the same key as one.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
    });
  });

  window.InspectionSession = { user: user, tellWorker: tellWorker };
  tellWorker();
})();
