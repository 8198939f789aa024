// The playground offline: every file the page fetched from its own origin is
// kept (the page sends what it loaded before this worker started); the network is asked first (so a new build shows at once) and the copy
// answers when there is none.
const CACHE = 'gradc-playground';

self.addEventListener('install', () => self.skipWaiting());
// The page sends what it loaded before this worker started: { keep: [url, …] }, and a port for the answer.
self.addEventListener('message', (e) => {
  const urls = e.data?.keep;
  if (!Array.isArray(urls)) return;
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(urls)).then(
    () => e.ports[0]?.postMessage({}),
    (err) => e.ports[0]?.postMessage({ error: String(err?.message ?? err) }),
  ));
});
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin) return;
  e.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const r = await fetch(e.request);
      if (r.ok) await cache.put(e.request, r.clone());
      return r;
    } catch (err) {
      const hit = await cache.match(e.request, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
