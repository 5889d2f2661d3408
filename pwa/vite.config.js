// Build: `npm run build` → dist/ (served by server/web at /).
// The service worker (src/sw.js) is bundled by vite-plugin-pwa in injectManifest mode: Workbox
// writes the list of built assets with their content hashes into it, so the worker's own bytes
// (and therefore its version) change whenever any asset changes: a phone can never run a new
// page against an old worker's cache, or the reverse. The list includes the workspace chunk
// (src/workspace/, loaded with import()), so a supervisor's workspace also opens offline.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { messageCatalog } from './build/messages.js';

export default defineConfig({
  base: '/',
  build: { target: 'es2020', assetsInlineLimit: 0, sourcemap: false },
  plugins: [
    messageCatalog(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.js',
      injectRegister: false,
      registerType: 'prompt',
      injectManifest: { globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'] },
      manifest: {
        name: '巡查 Xuncha',
        short_name: '巡查',
        description: '物业客服现场巡查 · Field inspections for property customer service',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#0b5cad',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png',
            purpose: 'maskable' },
        ],
      },
    }),
  ],
});
