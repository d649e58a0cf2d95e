// A process that does nothing but tick a 1 ms timer, started beside a Node peer while it is
// measured (bench/peer-timing.ts): how late its ticks come is what the machine alone (other
// processes, the hypervisor) costs any event loop, the floor under a peer's own lag. Sends
// { p99_ms, max_ms } to its parent when told to stop.
'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const keepAlive = setInterval(() => {}, 1000);
process.on('message', () => {
  histogram.disable();
  clearInterval(keepAlive);
  process.send({ p99_ms: histogram.percentile(99) / 1e6, max_ms: histogram.max / 1e6 }, () => process.disconnect());
});
process.send({ ready: true });
