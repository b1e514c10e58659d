import { defineConfig } from 'vite';

// The admin UI is served by express at /admin; assets are emitted with that base. No CDN, no external fonts.
export default defineConfig({
  root: 'web',
  base: '/admin/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
