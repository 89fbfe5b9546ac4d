// @ts-check
/**
 * The landing site: static pages (no server at run time), Spanish at `/`, English at `/en/`.
 * `LANDING_SITE_URL` is the public origin the canonical links, hreflang alternates, Open Graph
 * tags and the sitemap name (default: the local `orbit dev` address).
 */
import { defineConfig } from 'astro/config';

export default defineConfig({
  site: process.env.LANDING_SITE_URL ?? 'http://orbitengine.localhost:8000',
  output: 'static',
  trailingSlash: 'ignore',
  build: { format: 'directory', inlineStylesheets: 'always' },
  compressHTML: true,
  devToolbar: { enabled: false },
  vite: {
    server: {
      proxy: { '/api': 'http://127.0.0.1:8000', '/signup': 'http://127.0.0.1:8000' },
    },
  },
});
