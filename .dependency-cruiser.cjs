// Keeps the import direction of ARCHITECTURE.md true: edges call agent; agent never imports edges;
// the bot sits above the queue, the worker never loads the bot, Slack rendering never reaches the queue;
// pure modules stay pure; the sandbox and the stand-ins stay outside the product; no cycles anywhere.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'agent-not-into-edges',
      severity: 'error',
      from: { path: '^src/agent' },
      to: { path: '^src/(bot|slack|queue|cli|workflow|store)/' },
    },
    {
      // The remediation workflow works through its ports; front ends adapt to it, never the reverse.
      name: 'workflow-not-into-front-ends',
      severity: 'error',
      from: { path: '^src/workflow' },
      to: { path: '^src/(bot|slack|queue|cli|store)/' },
    },
    {
      // Store adapters implement the workflow's ProposalStore port and know nothing else.
      name: 'store-is-an-adapter',
      severity: 'error',
      from: { path: '^src/store' },
      to: { path: '^src/(bot|slack|queue|cli|agent|k8s|tracking)/' },
    },
    {
      // Slack rendering (Block Kit, the poster, payload parsing) is shared by the bot and the worker:
      // it knows no queue, no bot, no cluster and no agent.
      name: 'slack-is-rendering',
      severity: 'error',
      from: { path: '^src/slack' },
      to: { path: '^src/(bot|queue|cli|k8s|agent|store)/' },
    },
    {
      // The worker side (queue/) never loads the bot; the bot sits above the queue and enqueues.
      name: 'queue-not-into-bot',
      severity: 'error',
      from: { path: '^src/queue' },
      to: { path: '^src/(bot|cli)/' },
    },
    {
      name: 'bot-only-enqueues-and-posts',
      severity: 'error',
      from: { path: '^src/bot' },
      to: { path: '^src/(k8s|agent|cli)/' },
    },
    {
      // The bot process (run-bot and all it loads) needs no cluster credentials: nothing reachable from it
      // may be the agent or the Kubernetes client. (`worker`/`start` load run-worker dynamically.)
      name: 'bot-process-has-no-cluster-code',
      severity: 'error',
      from: { path: '^src/(cli/run-bot\\.ts$|bot/)' },
      to: { path: '^src/(k8s|agent)/', reachable: true },
    },
    {
      name: 'inner-not-into-edges',
      severity: 'error',
      from: { path: '^src/(k8s|safety|tracking|domain|config|observability)/' },
      to: { path: '^src/(cli|bot|slack|queue|agent|workflow|store)/' },
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
      // Dev tools (the stand-ins, the demo) and the sandbox drive the product from outside; it never loads them.
      name: 'product-not-into-tools',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tools|sandbox)/' },
    },
    {
      // The stand-ins speak Slack's, OpenAI's and MLflow's protocols written independently of src/, so tests cross-check.
      name: 'stand-ins-independent-of-product',
      severity: 'error',
      from: { path: '^tools/stand-ins/' },
      to: { path: '^src/' },
    },
    {
      // The sandbox simulates a container runtime for any client; it shares only the pure domain (quantities).
      name: 'sandbox-only-uses-the-domain',
      severity: 'error',
      from: { path: '^sandbox/' },
      to: { path: '^src/(?!domain/)|^tools/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
