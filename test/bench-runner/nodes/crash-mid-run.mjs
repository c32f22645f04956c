#!/usr/bin/env node
// Serves its own map like single-kv, but node n1 exits (status 7) one second after init: a crash in
// the middle of the test, which Maelstrom reports at teardown (exit 255, no analysis).
import { applyKv, runNode } from '../../fixtures/nodes/_io.mjs';

const map = new Map();
runNode((message, node) => node.reply(message, applyKv(map, message.body)), {
  afterInit: (node) => {
    if (node.id !== 'n1') return;
    setTimeout(() => {
      node.log('crash-mid-run: exiting on purpose');
      process.exit(7);
    }, 1000);
  },
});
