// One jest run over every workspace package (what `npm test` and CI run).
/** @type {import('jest').Config} */
export default {
  projects: ['<rootDir>/packages/*/jest.config.js', '<rootDir>/apps/*/jest.config.js'],
  // Global options are not read from project configs: set them here too.
  testTimeout: 30_000,
};
