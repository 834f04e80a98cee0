{% load static %}/* 帮扶走访 service worker, version {{ version }}: Workbox (vendored, static/field/vendor/VERSIONS.md).
 * The app shell is precached; pages under /m/ are network-first with the last copy kept for no signal
 * (field.js fills and prunes the same cache with the user's households at each sync). Visit photos are
 * cache-first, at most {{ photo_limit }} for 30 days; field.js keeps only those of the user's household
 * cards at each sync and deletes them all at logout. */
"use strict";
importScripts("{% static 'field/vendor/workbox-v7.4.1/workbox-sw.js' %}");
var MODULES = {
  "workbox-core": "{% static 'field/vendor/workbox-v7.4.1/workbox-core.prod.js' %}",
  "workbox-routing": "{% static 'field/vendor/workbox-v7.4.1/workbox-routing.prod.js' %}",
  "workbox-strategies": "{% static 'field/vendor/workbox-v7.4.1/workbox-strategies.prod.js' %}",
  "workbox-precaching": "{% static 'field/vendor/workbox-v7.4.1/workbox-precaching.prod.js' %}",
  "workbox-expiration": "{% static 'field/vendor/workbox-v7.4.1/workbox-expiration.prod.js' %}",
};
workbox.setConfig({ debug: false, modulePathCb: function (name) { return MODULES[name]; } });
var core = workbox.core, routing = workbox.routing, strategies = workbox.strategies, precaching = workbox.precaching;
var expiration = workbox.expiration;
var SCOPE = "{% url 'field:home' %}";
var NOT_CACHED = ["{% url 'field:login' %}", "{% url 'field:logout' %}", "{% url 'field:sync' %}"];

core.setCacheNameDetails({ prefix: "field", suffix: "{{ version }}" });
self.skipWaiting();
core.clientsClaim();
precaching.cleanupOutdatedCaches();
precaching.precacheAndRoute([
  { url: "{% static 'field/field.css' %}", revision: "{{ version }}" },
  { url: "{% static 'field/field.js' %}", revision: "{{ version }}" },
  { url: "{% static 'field/vendor/idb-keyval-6.3.0/idb-keyval.umd.js' %}", revision: "{{ version }}" },
]);

routing.registerRoute(
  function (ctx) {
    var path = ctx.url.pathname;
    return ctx.request.mode === "navigate" && ctx.url.origin === self.location.origin &&
      path.indexOf(SCOPE) === 0 && NOT_CACHED.indexOf(path) < 0;
  },
  new strategies.NetworkFirst({
    cacheName: "field-pages",
    networkTimeoutSeconds: 6,
    matchOptions: { ignoreVary: true },
    plugins: [{
      // never keep a login redirect or an error page in place of a household's page
      cacheWillUpdate: function (p) { return Promise.resolve(p.response && p.response.ok && !p.response.redirected ? p.response : null); },
    }],
  })
);

// The photos of the household cards, for no signal. Only a photo the server gave this user (200) is
// kept; one outside the user's scope answers 404 and is never cached.
var okOnly = {
  cacheWillUpdate: function (p) { return Promise.resolve(p.response && p.response.status === 200 ? p.response : null); },
};
routing.registerRoute(
  function (ctx) { return ctx.url.origin === self.location.origin && ctx.url.pathname.indexOf("{{ photo_prefix }}") === 0; },
  new strategies.CacheFirst({
    cacheName: "field-photos",
    plugins: [okOnly, new expiration.ExpirationPlugin({ maxEntries: {{ photo_limit }}, maxAgeSeconds: 30 * 24 * 3600, purgeOnQuotaError: true })],
  })
);
