import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The SPA is served at the root of the tenant's host by the Python server (`orbit dev` /
 * `orbit serve`) or the proxy. `npm run dev` proxies the API and `/ws` to a running server.
 */
export default defineConfig({
  plugins: [react(), tailwindcss()],
  base: '/',
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 400 },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8000', changeOrigin: false },
      '/ws': { target: 'ws://127.0.0.1:8000', ws: true },
    },
  },
});
