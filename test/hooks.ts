// Root hooks for every unit test: an unhandled promise rejection anywhere fails the run, naming the
// test that was running when it surfaced.
const rejections: unknown[] = [];
process.on('unhandledRejection', (reason) => rejections.push(reason));

export const mochaHooks = {
  afterEach(this: Mocha.Context) {
    if (rejections.length === 0) return;
    const reasons = rejections.splice(0).map((r) => (r instanceof Error ? (r.stack ?? r.message) : String(r)));
    throw new Error(`unhandled promise rejection during "${this.currentTest?.fullTitle() ?? 'a test'}":\n${reasons.join('\n')}`);
  },
};
