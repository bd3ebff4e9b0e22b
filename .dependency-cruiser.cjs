// Keeps the import direction of ARCHITECTURE.md true: edges call agent; agent never imports edges;
// slack never reaches the cluster or the agent; pure modules stay pure; no cycles anywhere.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'agent-not-into-edges',
      severity: 'error',
      from: { path: '^src/agent' },
      to: { path: '^src/(slack|queue|cli|workflow|store)/' },
    },
    {
      // The remediation workflow works through its ports; front ends adapt to it, never the reverse.
      name: 'workflow-not-into-front-ends',
      severity: 'error',
      from: { path: '^src/workflow' },
      to: { path: '^src/(slack|queue|cli|store)/' },
    },
    {
      // Store adapters implement the workflow's ProposalStore port and know nothing else.
      name: 'store-is-an-adapter',
      severity: 'error',
      from: { path: '^src/store' },
      to: { path: '^src/(slack|queue|cli|agent|k8s|tracking)/' },
    },
    {
      name: 'slack-only-enqueues-and-posts',
      severity: 'error',
      from: { path: '^src/slack' },
      to: { path: '^src/(k8s|agent)/' },
    },
    {
      // The bot process (run-bot and all it loads) needs no cluster credentials: nothing reachable from it
      // may be the agent or the Kubernetes client. (`worker`/`start` load run-worker dynamically.)
      name: 'bot-process-has-no-cluster-code',
      severity: 'error',
      from: { path: '^src/cli/run-bot\\.ts$' },
      to: { path: '^src/(k8s|agent)/', reachable: true },
    },
    {
      name: 'inner-not-into-edges',
      severity: 'error',
      from: { path: '^src/(k8s|safety|tracking|domain|config|observability)/' },
      to: { path: '^src/(cli|slack|queue|agent|workflow|store)/' },
    },
    {
      name: 'domain-is-the-bottom',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { path: '^src/(?!domain/)' },
    },
    {
      name: 'safety-is-pure',
      severity: 'error',
      from: { path: '^src/safety' },
      to: {
        path: '^src/(k8s|tracking|config|observability)/|^(node:)?(fs|net|http|https|child_process)$',
        dependencyTypes: ['local', 'core'],
      },
    },
    {
      // Dev tools (the local Slack, the demo) drive the product from outside; the product never loads them.
      name: 'product-not-into-tools',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^tools/' },
    },
    {
      // The local Slack speaks Slack's protocol written independently of src/slack, so tests cross-check.
      name: 'local-slack-independent-of-product',
      severity: 'error',
      from: { path: '^tools/local-slack/' },
      to: { path: '^src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
