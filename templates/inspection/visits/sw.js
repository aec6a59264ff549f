/*
 * Keeps the visit form usable with no connection: its assets are cached when the
 * worker installs, and each form page, the standard's rules and photos are kept
 * from the last time the network answered. Writes (POST) are never touched:
 * the form queues them itself and syncs when the connection returns.
 */
"use strict";
var CONFIG = {{ config|safe }};
var ASSETS = "visit-assets-" + CONFIG.version;
var PAGES = "visit-pages";
var KEPT = [
  /\/visits\/\d+\/$/,
  /\/visits\/\d+\/photos\/\d+\/$/,
  /\/standards\/[^/]+\/rules\.json$/,
];
// On a weak connection the last copy is better than a long wait.
var NETWORK_PATIENCE_MS = 4000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(ASSETS).then(function (cache) { return cache.addAll(CONFIG.assets); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("visit-assets-") === 0 && key !== ASSETS;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function cacheFirst(request) {
  return caches.open(ASSETS).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
  });
}

function networkFirst(request) {
  return caches.open(PAGES).then(function (cache) {
    var network = fetch(request).then(function (response) {
      if (response.ok && response.type === "basic") cache.put(request, response.clone());
      // A form page that now redirects (submitted, or logged out) must not be served stale.
      else if (response.type === "opaqueredirect") cache.delete(request);
      return response;
    });
    // Django varies pages on Cookie and Accept-Language, which a cached copy made
    // by the page itself would otherwise never match.
    var fallback = function () {
      return cache.match(request, { ignoreSearch: true, ignoreVary: true }).then(function (hit) { return hit || network; });
    };
    var slow = new Promise(function (resolve) { setTimeout(resolve, NETWORK_PATIENCE_MS); }).then(fallback);
    return Promise.race([network, slow]).catch(fallback);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.assets.indexOf(url.pathname) >= 0) {
    event.respondWith(cacheFirst(request));
  } else if (KEPT.some(function (pattern) { return pattern.test(url.pathname); })) {
    event.respondWith(networkFirst(request));
  }
});
