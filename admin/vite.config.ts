import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API server under /admin/ (server/http/adminRoute.ts). `npm run dev` here proxies the
// API to a server on localhost:4000 (`npm start` at the root).
const api = process.env.PARLANCE_API ?? 'http://localhost:4000';

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      '/jobs': { target: api, changeOrigin: true },
      '/sessions': { target: api, changeOrigin: true },
    },
  },
});
