// The paper index worker: reads and indexes the corpora it is given (see WorkerPaperIndex), then answers
// searches. Runs in a worker thread so a large corpus never blocks the caller's thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { CorpusProblem } from '../core/corpus/types';
import { PaperLibrary, type KnowledgeSource, type UserCorpusText } from '../core/knowledge/library';
import { nodeKnowledgeSource, readUserCorpus } from './knowledge';
import type { PaperIndexReply, PaperIndexRequest, WorkerPaperIndexOptions } from './worker-paper-index';

if (!parentPort) throw new Error('paper-index-worker must run in a worker thread');
const port = parentPort;
const options = workerData as Omit<WorkerPaperIndexOptions, 'workerScript'>;

/** No bundled corpus: user papers only. */
const EMPTY: KnowledgeSource = {
  bundledCorpus: async () => JSON.stringify({ formatVersion: 1, source: 'none', papers: [] }),
  bundledIndex: async () => null,
};

async function build(): Promise<{ library: PaperLibrary; problems: CorpusProblem[] }> {
  const problems: CorpusProblem[] = [];
  const texts: UserCorpusText[] = [];
  for (const path of options.files ?? []) {
    const read = await readUserCorpus(path, options.maxFileBytes);
    if ('error' in read) problems.push({ file: path, line: 0, message: read.error });
    else texts.push(read);
  }
  texts.push(...(options.texts ?? []));
  const loaded = await PaperLibrary.load(options.bundledRoot ? nodeKnowledgeSource(options.bundledRoot) : EMPTY, texts);
  problems.push(...loaded.problems);
  if (options.papers?.length) problems.push(...loaded.library.addPapers(options.papers, 'records'));
  return { library: loaded.library, problems };
}

const started = Date.now();
const building = build();
building.then(
  ({ library, problems }) => port.postMessage({ type: 'ready', report: { size: library.size, problems, buildMs: Date.now() - started } } satisfies PaperIndexReply),
  (error: unknown) => port.postMessage({ type: 'failed', message: (error as Error).message } satisfies PaperIndexReply),
);

port.on('message', async (request: PaperIndexRequest) => {
  let reply: PaperIndexReply;
  try {
    const { library } = await building;
    let result: unknown;
    if (request.op === 'search') result = library.search(request.query, request.options);
    else if (request.op === 'paper') result = library.paper(request.paperId);
    else result = library.papersFor(request.pattern, request.limit);
    reply = { type: 'answer', id: request.id, result };
  } catch (error) {
    reply = { type: 'error', id: request.id, message: (error as Error).message };
  }
  port.postMessage(reply);
});
