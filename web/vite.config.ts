import { defineConfig } from 'vite';

// The admin UI is served by express at /admin; assets are emitted with that base. No CDN, no external fonts.
// elkjs (the diagram layout engine, ~1.6 MB) is split into its own lazily loaded chunk.
export default defineConfig({
  root: 'web',
  base: '/admin/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
