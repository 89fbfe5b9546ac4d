import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'frontend/src/**/*.test.{ts,tsx}', 'pwa/src/**/*.test.{ts,tsx}', 'landing/src/**/*.test.ts'],
    environment: 'node',
  },
});
