// The arrows of docs/architecture.md, checked: who may import whom, and no cycles.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular imports make load order and ownership unclear.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-package-imports-an-app',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'testkit-only-in-tests',
      severity: 'error',
      comment: 'Production code never imports the stand-ins.',
      from: {
        path: '^(packages|apps)/[^/]+/src/',
        pathNot: [
          '\\.test(-helpers)?\\.ts$',
          '^packages/testkit/',
          '^apps/cli/src/demo/',
          '^apps/cli/src/eval/',
          '^apps/cli/src/bench/',
          '^apps/bench/src/',
        ],
      },
      to: { path: '^packages/testkit/' },
    },
    {
      name: 'testkit-imports-nothing-of-ours',
      severity: 'error',
      comment: 'The stand-ins implement the APIs from the facts on their own, so a client bug cannot hide in a shared helper.',
      from: { path: '^packages/testkit/' },
      to: { path: '^packages/(?!testkit/)' },
    },
    {
      name: 'sync-core-is-pure',
      severity: 'error',
      comment: 'sync-core never imports a client, Redis or HTTP.',
      from: { path: '^packages/sync-core/src/', pathNot: '\\.test(-helpers)?\\.ts$' },
      to: {
        path: [
          '^packages/(?!sync-core/|shopify/)',
          'node_modules/(ioredis|bullmq|got|@shopify|openai|undici)',
          '^(http|https|net|fs|node:http|node:https|node:net|node:fs)$',
        ],
      },
    },
    {
      name: 'sync-core-takes-only-types-from-shopify',
      severity: 'error',
      comment:
        'The orderCreate input has one type, owned by the Shopify client; sync-core builds it and may import it as a type, never run the client.',
      from: { path: '^packages/sync-core/src/', pathNot: '\\.test(-helpers)?\\.ts$' },
      to: { path: '^packages/shopify/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'clients-depend-only-on-logger',
      severity: 'error',
      comment: 'API clients, the mapper and the state store stand on the logger (and the key layout) alone.',
      from: { path: '^packages/(shopify|tiktok|ai-mapper|state|logger)/src/', pathNot: '\\.test(-helpers)?\\.ts$' },
      to: { path: '^packages/', pathNot: '^packages/(logger|keys|shopify|tiktok|ai-mapper|state)/' },
    },
    {
      name: 'keys-is-a-leaf',
      severity: 'error',
      comment: 'The Redis key layout is plain strings: everyone may import it because it imports nothing.',
      from: { path: '^packages/keys/src/', pathNot: '\\.test\\.ts$' },
      to: { path: ['^packages/(?!keys/)', 'node_modules/'] },
    },
    {
      name: 'config-depends-on-rules-only',
      severity: 'error',
      comment: 'The config validates the stores file, rules included (their schema lives in sync-core).',
      from: { path: '^packages/config/src/', pathNot: '\\.test(-helpers)?\\.ts$' },
      to: { path: '^packages/', pathNot: '^packages/(config|sync-core)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/dist/', '/fixtures/', '\\.tools/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['shoptok-source', 'import', 'default'] },
  },
};
