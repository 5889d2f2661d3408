// The service worker: precaches the app shell so a cold start with no network works.
// Workbox injects the asset list (each with its content hash) at build time; activation
// removes caches from older builds. API calls, non-GET requests and other origins are never
// touched: they go to the network, so the app always knows whether the server really answered.
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Every navigation (the app uses #hash routes, but a reload of any path must still open offline)
// is answered with the precached index.html — except the API.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), {
  denylist: [/^\/api\//],
}));

// Never replace the app under a half-filled form: a new worker waits until the page,
// after the user accepted "update available", asks it to take over.
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});
