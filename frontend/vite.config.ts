/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// The bridge (Go) serves /bridge/call and /bridge/events. In `npm run dev`, point
// CONCIERGE_BRIDGE at a running bridge (e.g. http://127.0.0.1:34115) to proxy them.
const bridge = process.env.CONCIERGE_BRIDGE;

export default defineConfig({
  base: './',
  plugins: [svelte(), svelteTesting()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: bridge
    ? {
        proxy: {
          '/bridge/call': { target: bridge, changeOrigin: true },
          '/bridge/events': { target: bridge, ws: true, changeOrigin: true },
        },
      }
    : undefined,
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
    unstubGlobals: true,
  },
});
