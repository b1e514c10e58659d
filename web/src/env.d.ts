// Vite handles CSS imports at build time.
declare module '*.css';
