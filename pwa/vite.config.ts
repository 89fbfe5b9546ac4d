import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The POS is served by the Python server at `{sub}.BASE_DOMAIN/pos/` from `pwa/dist/` (history
 * fallback; `sw.js` and the manifest revalidated on every load). Its own service worker
 * (`src/sw.ts`, Workbox through vite-plugin-pwa's injectManifest) precaches the whole shell, so
 * after one visit the till starts with no network at all. Updates wait for the cashier
 * (`registerType: 'prompt'`, applied between sales by `app/updater.ts`). `npm run dev -w pwa`
 * proxies the API and `/ws` to a server on port 8000 (`make demo`).
 */
export default defineConfig({
  base: '/pos/',
  plugins: [
    react(),
    tailwindcss(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon.svg', 'apple-touch-icon.png'],
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // Source maps are for people, not tills: they stay out of the precache.
        globIgnores: ['**/*.map'],
      },
      manifest: {
        id: '/pos/',
        name: 'OrbitEngine POS',
        short_name: 'POS',
        description: 'Point of sale: sells, refunds and closes shifts with or without a network.',
        lang: 'es',
        start_url: '/pos/',
        scope: '/pos/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#f8fafc',
        theme_color: '#4f46e5',
        categories: ['business', 'productivity'],
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
    }),
  ],
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 600 },
  server: {
    port: 5174,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8000', changeOrigin: false },
      '/ws': { target: 'ws://127.0.0.1:8000', ws: true },
    },
  },
});
