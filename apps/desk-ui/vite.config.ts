import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The desk serves the built files; in development, /api goes to a running desk.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, proxy: { '/api': 'http://127.0.0.1:8081' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
