/*
 * Keeps the visit form usable with no connection: its assets are cached when the
 * worker installs, and each form page, the standard's rules and photos are kept
 * from the last time the network answered. Writes (POST) are never touched:
 * the form queues them itself and syncs when the connection returns.
 *
 * Tablets are shared: kept pages live in one cache per user, and only the user the
 * pages last named (page.js), until their session ends, is served from it. A page
 * with nobody logged in drops every user's copies.
 */
"use strict";
var CONFIG = {{ config|safe }};
var ASSETS = "visit-assets-" + CONFIG.version;
var PAGES = "visit-pages-";
var SESSION = "visit-session";
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
        // "visit-pages" without a user is what earlier workers kept.
        return (key.indexOf("visit-assets-") === 0 && key !== ASSETS) || key === "visit-pages";
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

function currentSession() {
  return caches.open(SESSION).then(function (cache) { return cache.match("session"); })
    .then(function (hit) { return hit ? hit.json() : null; });
}

self.addEventListener("message", function (event) {
  var session = event.data && event.data.session;
  if (!session) return;
  var own = session.user ? PAGES + session.user : null;
  event.waitUntil(
    caches.open(SESSION).then(function (cache) {
      return cache.put("session", new Response(JSON.stringify(session)));
    }).then(function () { return caches.keys(); }).then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf(PAGES) === 0 && key !== own;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { if (event.ports[0]) event.ports[0].postMessage("ok"); })
  );
});

// Whose copies may answer this request: nobody's once the session has ended.
function keptPage(request) {
  return currentSession().then(function (session) {
    if (!session || !session.user || Date.now() >= session.expires) return fetch(request);
    return networkFirst(request, PAGES + session.user);
  });
}

function networkFirst(request, pages) {
  return caches.open(pages).then(function (cache) {
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
    event.respondWith(keptPage(request));
  }
});
