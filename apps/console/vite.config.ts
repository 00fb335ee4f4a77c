import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Served by the gateway under /console/; every asset is bundled (no CDN: the console works offline).
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  // The typed client from its TypeScript sources: the same code the CLI runs, bundled for the browser.
  resolve: { alias: { '@zapgate/client': fileURLToPath(new URL('../../libs/client/src/index.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
  server: {
    // `npx vite` in apps/console while npm start runs: the APIs come from the gateway.
    proxy: { '/api': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' },
  },
});
