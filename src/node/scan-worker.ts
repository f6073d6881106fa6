// A scan worker: reads and analyses the files the pool hands it, one at a time, and posts the results
// back. Runs in a worker thread, so a slow or hostile file cannot stall the caller's thread.
import { parentPort } from 'node:worker_threads';
import { Analyzer } from '../core/analyze';
import { nodeGrammarSource } from './grammar';
import { analyzeFile, type ScanJob, type WorkerReply } from './scan';

if (!parentPort) throw new Error('scan-worker must run in a worker thread');
const port = parentPort;
const analyzer = Analyzer.create(nodeGrammarSource());

port.on('message', async (job: ScanJob | 'exit') => {
  if (job === 'exit') {
    (await analyzer).dispose();
    port.close();
    return;
  }
  let reply: WorkerReply;
  try {
    reply = { id: job.id, result: analyzeFile(await analyzer, job) };
  } catch (error) {
    reply = { id: job.id, result: { path: job.path, skipped: `could not analyze: ${(error as Error).message}` } };
  }
  port.postMessage(reply);
});
