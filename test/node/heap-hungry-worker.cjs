// A stand-in scan worker for the pool's tests: a file whose name contains "huge" keeps about 200 MB
// of objects alive while it is "analysed", more than a heap-limited scan worker may hold.
'use strict';
const { parentPort, resourceLimits } = require('node:worker_threads');
parentPort.on('message', (job) => {
  if (job === 'exit') return parentPort.close();
  let held = 0;
  if (job.path.includes('huge')) {
    const chunks = [];
    for (let i = 0; i < 100; i++) chunks.push(Array.from({ length: 1 << 16 }, (_, j) => ({ j })));
    held = chunks.length;
  }
  const limit = resourceLimits.maxOldGenerationSizeMb ?? 0;
  parentPort.postMessage({ id: job.id, result: { path: job.path, findings: [], errors: [`held ${held}, heap limit ${limit}`], pragmaProblems: [] } });
});
