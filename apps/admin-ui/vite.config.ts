import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The server serves the built files at /admin; in development, /api goes to a running server.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  server: { port: 5174, proxy: { '/api': 'http://127.0.0.1:8080' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2500 },
});
