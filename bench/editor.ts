// Editor latency on a parsed 5,000-line model file, through the code the extension runs: typing goes
// through the core's incremental DocumentAnalysis (what src/editor/documents.ts calls on each change),
// hovers and completions through the functions the providers call (src/editor/providerAnswers.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Analyzer, type FileAnalysis, type TextChange } from '../src/core/analyze';
import { PaperLibrary } from '../src/core/knowledge/library';
import type { ModuleClass } from '../src/core/model/types';
import { citationQuery, citationsOnLine, completionPlace, findingsOf, insideTripleQuotedString } from '../src/editor/locate';
import { modelHoverMarkdown, modelHoverTarget, snippetCompletions, statementIndent } from '../src/editor/providerAnswers';
import { citationDocumentation, citationInsertText, plainTitle } from '../src/editor/render/completion';
import { nodeGrammarSource } from '../src/node/grammar';
import { nodeKnowledgeSource } from '../src/node/knowledge';
import { ms, note, percentile, report, section } from './report';
import { largeModelFile } from './synthetic';

/** The settings' defaults, as DocumentStore passes them. */
const DOCUMENT_OPTIONS = { minConfidence: 0.5 };

/** What is typed, one character per keystroke; Enter inserts the newline and the indentation at once, as editors do. */
const TYPED_LINES = [
  'residual_scale = torch.sigmoid(self.gate_bias) * 0.5',
  'normed = F.layer_norm(h, h.shape[-1:])',
  'mixed = normed * residual_scale + h * (1 - residual_scale)',
  'if self.training and self.drop_prob > 0.0:',
  '    keep = torch.rand(mixed.shape[0], 1, 1, device=mixed.device) > self.drop_prob',
  '    mixed = mixed * keep / (1.0 - self.drop_prob)',
  'attention_bias = torch.zeros(mixed.shape[1], mixed.shape[1], device=mixed.device)',
  'h = mixed + attention_bias.mean() * 0.0',
];

/** A class near the middle of the file whose forward method ends on a `return` line: where typing happens. */
function typingTarget(analysis: FileAnalysis, lines: string[]): { cls: ModuleClass; line0: number } {
  const middle = lines.length / 2;
  const candidates = analysis.model.classes
    .map((cls) => ({ cls, forward: cls.methods.find((m) => m.name === 'forward') }))
    .filter(({ forward }) => forward && lines[forward.endLine - 1]?.trim().startsWith('return '))
    .sort((a, b) => Math.abs(a.cls.line - middle) - Math.abs(b.cls.line - middle));
  if (candidates.length === 0) throw new Error('the synthetic model file has no class with a forward method');
  const { cls, forward } = candidates[0];
  return { cls, line0: forward!.endLine - 1 };
}

function sameFindings(a: FileAnalysis, b: FileAnalysis): boolean {
  return JSON.stringify(a.findings) === JSON.stringify(b.findings);
}

export async function benchEditor(root: string): Promise<void> {
  const text = largeModelFile(root, 5000);
  const lines = text.split('\n');
  writeFileSync(join(root, '.bench-cache', 'typing-5000.py'), text);
  const analyzer = await Analyzer.create(nodeGrammarSource(join(root, 'dist')));
  try {
    await benchTyping(analyzer, text, lines.length);
    await benchHoverAndCompletion(root, analyzer, text);
  } finally {
    analyzer.dispose();
  }
}

async function benchTyping(analyzer: Analyzer, initial: string, lineCount: number): Promise<void> {
  section(`4. Typing in a ${lineCount - 1}-line model file (incremental parse + re-recognition, per keystroke)`);
  const document = analyzer.openDocument(DOCUMENT_OPTIONS);
  try {
    let text = initial;
    const first = document.update(text);
    const lines = text.split('\n');
    const { cls, line0 } = typingTarget(first, lines);
    const indent = /^\s*/.exec(lines[line0])![0];
    note(`typing into ${cls.name}.forward (class at line ${cls.line} of ${lineCount - 1}; ${first.model.classes.length} classes, ${first.findings.length} findings in the file), before line ${line0 + 1}`);
    // The cursor, as an offset and a row/column, starts before the `return` of the forward method.
    let offset = lines.slice(0, line0).reduce((sum, l) => sum + l.length + 1, 0) + indent.length;
    let row = line0;
    let column = indent.length;
    const keystrokes = TYPED_LINES.flatMap((line) => {
      const extra = /^\s*/.exec(line)![0];
      return [...line.trimStart()].map((c, i) => (i === 0 && extra ? extra + c : c)).concat([`\n${indent}`]);
    });
    const times: number[] = [];
    const statementsRead: number[] = [];
    const classesRead: number[] = [];
    const recognitions: number[] = [];
    let last: FileAnalysis = first;
    // A few keystrokes first, untimed: the JIT warms up as it would after the first seconds of editing.
    const warmup = 10;
    for (const [i, typed] of keystrokes.entries()) {
      const change: TextChange = {
        startIndex: offset,
        oldEndIndex: offset,
        newEndIndex: offset + typed.length,
        startPosition: { row, column },
        oldEndPosition: { row, column },
        newEndPosition: typed.includes('\n') ? { row: row + 1, column: typed.length - 1 } : { row, column: column + typed.length },
      };
      text = text.slice(0, offset) + typed + text.slice(offset);
      offset += typed.length;
      row = change.newEndPosition.row;
      column = change.newEndPosition.column;
      const started = performance.now();
      last = document.update(text, [change]);
      const elapsed = performance.now() - started;
      if (i < warmup) continue;
      times.push(elapsed);
      statementsRead.push(last.work.statementsRead);
      classesRead.push(last.work.classesRead);
      recognitions.push(last.work.recognitionsRun);
    }
    const fresh = analyzer.analyze(text, DOCUMENT_OPTIONS);
    const p95 = percentile(times, 95);
    note(`${times.length} keystrokes timed (after ${warmup} untimed), p50 ${ms(percentile(times, 50))}, max ${ms(Math.max(...times))}`);
    report({ name: 'typing: keystroke → updated findings, p95', measured: ms(p95), target: '≤ 15 ms', met: p95 <= 15 });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    report({
      name: 'typing: work per keystroke (FileAnalysis.work)',
      measured: `module-level statements re-read p50 ${percentile(statementsRead, 50)} / max ${Math.max(...statementsRead)} of ${first.work.statementsRead}; classes re-read p50 ${percentile(classesRead, 50)} / max ${Math.max(...classesRead)} (mean ${mean(classesRead).toFixed(2)}); recognitions re-run p50 ${percentile(recognitions, 50)} / max ${Math.max(...recognitions)} (mean ${mean(recognitions).toFixed(1)}), of ${first.model.classes.length} classes × 18 patterns`,
      target: '',
    });
    note(`findings after the last keystroke match a fresh full analysis: ${sameFindings(last, fresh) ? 'yes' : 'NO'}`);
  } finally {
    document.dispose();
  }
}

async function benchHoverAndCompletion(root: string, analyzer: Analyzer, text: string): Promise<void> {
  section('5. Hover and completion on the parsed 5,000-line file (the providers\' code, providerAnswers.ts)');
  const { library } = await PaperLibrary.load(nodeKnowledgeSource(root));
  const document = analyzer.openDocument(DOCUMENT_OPTIONS);
  try {
    const analysis = document.update(text);
    const lines = text.split('\n');
    const uri = 'file:///bench/typing-5000.py';

    // Hovers: on each recognized class's name and on each of its evidence lines.
    const hoverPoints: Array<{ line0: number; column: number }> = [];
    for (const cls of analysis.model.classes) {
      const findings = findingsOf(analysis, cls);
      if (findings.length === 0 || !cls.name) continue;
      hoverPoints.push({ line0: cls.line - 1, column: lines[cls.line - 1].indexOf(cls.name) + 1 });
      for (const f of findings) {
        for (const e of f.evidence) {
          const line = Number(/^L(\d+):/.exec(e)?.[1]);
          if (line) hoverPoints.push({ line0: line - 1, column: lines[line - 1].search(/\S/) + 2 });
        }
      }
    }
    const hoverTimes: number[] = [];
    let shown = 0;
    for (const point of hoverPoints) {
      const started = performance.now();
      const lineText = lines[point.line0];
      // The provider's order: a citation under the pointer first, then the model hover.
      const citation = citationsOnLine(lineText).find((c) => point.column >= c.start - 1 && point.column <= c.end + 1);
      const target = citation ? undefined : modelHoverTarget(analysis, point.line0, point.column, lineText);
      const markdown = target ? modelHoverMarkdown(target, library, uri) : undefined;
      hoverTimes.push(performance.now() - started);
      if (markdown) shown++;
    }
    note(`${hoverTimes.length} hovers (class names and evidence lines), ${shown} with a card; p50 ${ms(percentile(hoverTimes, 50), 3)}, max ${ms(Math.max(...hoverTimes), 3)}`);
    const hoverP95 = percentile(hoverTimes, 95);
    report({ name: 'hover p95 (parsed document)', measured: ms(hoverP95, 3), target: '≤ 5 ms', met: hoverP95 <= 5 });

    // Completions: a statement being started in each model class's constructor and forward method.
    const completionPoints: Array<{ line0: number; prefix: string }> = [];
    for (const cls of analysis.model.classes) {
      for (const method of cls.methods) {
        if (!['__init__', 'forward', 'setup', '__call__', 'call', 'build'].includes(method.name) || method.endLine <= method.line) continue;
        const line0 = method.endLine - 1;
        completionPoints.push({ line0, prefix: `${/^\s*/.exec(lines[line0])![0]}se` });
      }
    }
    const completionTimes: number[] = [];
    let offered = 0;
    for (const point of completionPoints) {
      const started = performance.now();
      // What the provider reads from the document: the line prefix and up to 400 lines before it.
      const before = lines.slice(Math.max(0, point.line0 - 400), point.line0).join('\n') + '\n' + point.prefix;
      const query = citationQuery(point.prefix, insideTripleQuotedString(before));
      const indent = query === undefined ? statementIndent(point.prefix) : undefined;
      const where = indent === undefined ? undefined : completionPlace(analysis, point.line0 + 1, indent);
      const items = where ? snippetCompletions(analysis, where, library) : [];
      completionTimes.push(performance.now() - started);
      if (items.length > 0) offered++;
    }
    note(`${completionTimes.length} building-block completions (constructors and forward methods), ${offered} offering items; p50 ${ms(percentile(completionTimes, 50), 3)}, max ${ms(Math.max(...completionTimes), 3)}`);
    const completionP95 = percentile(completionTimes, 95);
    report({ name: 'completion p95, building blocks (parsed document)', measured: ms(completionP95, 3), target: '≤ 5 ms', met: completionP95 <= 5 });

    // Citation completions: `# paper: <query>` typed in a comment, one character at a time.
    const citationTimes: number[] = [];
    const comment = '        # paper: ';
    for (const query of ['mixture of experts', 'attention is all', 'u-net', 'diffusion models', 'state space']) {
      for (let i = 1; i <= query.length; i++) {
        const prefix = comment + query.slice(0, i);
        const started = performance.now();
        const typed = citationQuery(prefix, false);
        const results = typed?.trim() ? library.search(typed, { limit: 20 }) : [];
        results.map((r) => ({ label: plainTitle(r.paper.title), insert: citationInsertText(r.paper), documentation: citationDocumentation(r.paper) }));
        citationTimes.push(performance.now() - started);
      }
    }
    const citationP95 = percentile(citationTimes, 95);
    report({ name: 'completion p95, paper citations as typed', measured: ms(citationP95, 3), target: '≤ 5 ms', met: citationP95 <= 5 });
  } finally {
    document.dispose();
  }
}
