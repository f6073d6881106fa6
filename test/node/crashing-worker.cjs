// A stand-in scan worker for the pool's tests: it answers every job, except that it dies on a file
// whose name contains "crash" (throwing) or "exit" (exiting the thread).
'use strict';
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (job) => {
  if (job === 'exit') return parentPort.close();
  if (job.path.includes('crash')) throw new Error('boom');
  if (job.path.includes('exit')) process.exit(3);
  parentPort.postMessage({ id: job.id, result: { path: job.path, findings: [], errors: [], pragmaProblems: [] } });
});
