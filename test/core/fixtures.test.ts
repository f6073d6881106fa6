import assert from 'node:assert/strict';
import { allPatterns } from '../../src/core/analyze';
import { FIXTURES, pythonFiles, readFixture, readMarks, sharedAnalyzer } from '../helpers';

// Every fixture is documentation of what must (and must not) be found where: each mark is a test.
describe('pattern fixtures', () => {
  const known = new Set(allPatterns().map((p) => p.id));
  for (const file of pythonFiles(FIXTURES)) {
    describe(file, () => {
      const text = readFixture(file);
      const marks = readMarks(text);
      it('has marks', () => assert.ok(marks.length > 0, `${file} has no expect marks`));
      for (const mark of marks) {
        const label = `${mark.name ?? 'functional model'} (L${mark.line})`;
        it(`${label}: expect [${mark.expect.join(', ')}]${mark.expectNot.length ? ` not [${mark.expectNot.join(', ')}]` : ''}`, async () => {
          for (const id of [...mark.expect, ...mark.expectNot]) assert.ok(known.has(id), `unknown pattern id in mark: ${id}`);
          const { findings } = (await sharedAnalyzer()).analyze(text);
          const here = findings.filter((f) => f.line === mark.line);
          const found = here.map((f) => f.pattern);
          for (const id of mark.expect) {
            assert.ok(found.includes(id), `${file}:${mark.line} ${label} should have ${id}; found [${found.join(', ')}]`);
          }
          for (const id of mark.expectNot) {
            const wrong = here.find((f) => f.pattern === id);
            assert.ok(!wrong, `${file}:${mark.line} ${label} should not have ${id}; evidence: ${wrong?.evidence.join(' | ')}`);
          }
        });
      }
    });
  }
});
