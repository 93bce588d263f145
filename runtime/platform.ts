// Where the runtime runs: Node (the CLI, tests, servers) or a browser (the bundle of browser.ts).
export const inNode = typeof process !== 'undefined' && !!process.versions?.node;
