// A stand-in scan worker for the cancellation tests: it answers each job after a pause, so a scan of a
// few dozen files is still running when the test cancels it.
'use strict';
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => {
  if (job === 'exit') return parentPort.close();
  setTimeout(() => parentPort.postMessage({ id: job.id, result: { path: job.path, findings: [], errors: [], pragmaProblems: [] } }), 30);
});
