import assert from 'node:assert/strict';
import { join } from 'node:path';
import { patternById, type PatternFinding } from '../../src/core/analyze';
import { PaperLibrary } from '../../src/core/knowledge/library';
import { modelMarkdown, patternMarkdown } from '../../src/editor/render/explanation';
import { HOVER_COMMANDS, hoverMarkdown, parseEvidence } from '../../src/editor/render/hover';
import { lensTitle } from '../../src/editor/render/lens';
import { commandLink, escapeMarkdown, inlineCode } from '../../src/editor/render/markdown';
import { bibtexReferences, markdownReferences } from '../../src/editor/render/references';
import { nodeKnowledgeSource, packageRoot } from '../../src/node/knowledge';

const ROOT = packageRoot(join(__dirname, '..', '..', 'src', 'node'));
const HOSTILE = '<img src=x onerror=alert(1)> [click](command:workbench.action.terminal.new) `code` **bold** javascript:alert(1) <script>x</script>';

/** Markdown links in a text, outside code spans and not escaped. */
function links(markdown: string): string[] {
  const withoutCode = markdown.replace(/(`+)[\s\S]*?\1/g, '');
  return [...withoutCode.matchAll(/(?<!\\)\[[^\]]*(?<!\\)\]\(([^)\s]+)/g)].map((m) => m[1]);
}

describe('editor rendering (pure)', () => {
  let library: PaperLibrary;
  before(async () => {
    ({ library } = await PaperLibrary.load(nodeKnowledgeSource(ROOT)));
  });

  describe('markdown helpers', () => {
    it('escapes every Markdown and HTML metacharacter', () => {
      const escaped = escapeMarkdown(HOSTILE);
      assert.ok(!/(?<!\\)[<>[\]()`*]/.test(escaped), escaped);
      assert.deepEqual(links(escaped), []);
    });

    it('fences code spans longer than any backtick run inside', () => {
      assert.equal(inlineCode('a `b` c'), '``a `b` c``');
      assert.equal(inlineCode('`x`'), '`` `x` ``');
      assert.equal(inlineCode('line\nbreak'), '`line break`');
    });

    it('builds command links only to ArchLens commands, with encoded JSON arguments', () => {
      const link = commandLink('Open', 'archlens.openPaper', ['a"b)c']);
      assert.equal(link, `[Open](command:archlens.openPaper?${encodeURIComponent(JSON.stringify(['a"b)c']))} "Open")`);
      assert.throws(() => commandLink('x', 'workbench.action.terminal.new', []), /refusing a command link/);
    });
  });

  describe('hover card', () => {
    const finding: PatternFinding = {
      pattern: 'mixture-of-experts',
      class: 'SparseMoE',
      line: 10,
      endLine: 30,
      confidence: 0.93,
      evidence: ['L12: self.gate = nn.Linear(dim, n)', `L13: ${HOSTILE}`],
    };
    const render = (f: PatternFinding, className: string | null = 'SparseMoE') =>
      hoverMarkdown({ className, findings: [f], uri: 'file:///m.py', pattern: patternById, papers: (id) => library.papersFor(patternById(id)!) });

    it('shows the pattern with confidence, evidence line links, trade-offs and papers', () => {
      const md = render(finding);
      assert.match(md, /^\*\*ArchLens\*\* · `SparseMoE`/);
      assert.match(md, /#### Mixture of experts · 93%/);
      assert.match(md, /\[L12\]\(command:archlens\.revealLine\?/);
      assert.ok(md.includes(encodeURIComponent(JSON.stringify(['file:///m.py', 12]))));
      assert.match(md, /`self\.gate = nn\.Linear\(dim, n\)`/);
      assert.match(md, /\*\*\+\*\* /);
      assert.match(md, /ModuleFormer.*\[Open abstract\]\(command:archlens\.openPaper\?/);
      assert.match(md, /\[All papers for this pattern\]\(command:archlens\.showPatternPapers\?/);
    });

    it('links only to allow-listed ArchLens commands, even with hostile evidence and class names', () => {
      const md = render({ ...finding, class: HOSTILE }, HOSTILE);
      for (const target of links(md)) {
        const command = /^command:([\w.]+)\?/.exec(target)?.[1];
        assert.ok(command && (HOVER_COMMANDS as readonly string[]).includes(command), `unexpected link ${target}`);
      }
      assert.ok(!md.replace(/(`+)[\s\S]*?\1/g, '').includes('<img'), 'HTML appears only inside code spans');
      assert.ok(md.includes(inlineCode(HOSTILE)));
    });

    it('parses evidence strings', () => {
      assert.deepEqual(parseEvidence('L42: x = 1'), { line: 42, text: 'x = 1' });
      assert.equal(parseEvidence('nonsense'), null);
    });
  });

  describe('code lens title', () => {
    it('names the patterns, the paper count and trade-offs', () => {
      assert.equal(lensTitle(['Mixture of experts', 'cross-attention'], 3), 'Mixture of experts · Cross-attention — 3 papers · trade-offs');
      assert.equal(lensTitle(['Residual block'], 1), 'Residual block — 1 paper · trade-offs');
      assert.equal(lensTitle(['Squeeze-and-excitation'], 0), 'Squeeze-and-excitation — trade-offs');
    });
  });

  describe('explanations', () => {
    it('renders a pattern card with numbered references and no raw citation markers', () => {
      const md = patternMarkdown(patternById('cross-attention')!, { paper: (id) => library.paper(id), papers: (p) => library.papersFor(p) });
      assert.match(md, /^# Cross\\-attention/);
      assert.match(md, /## Multimodal architecture type/);
      assert.match(md, /\\\[1\\\]/);
      assert.match(md, /## References\n\n1\. \*\*/);
      assert.ok(!md.includes('[['));
    });

    it('renders a model table, and hostile class names and evidence as text', () => {
      const md = modelMarkdown('M', [{ pattern: 'unet', class: 'M', line: 1, endLine: 9, confidence: 0.8, evidence: ['L3: x = torch.cat([x, skip], dim=1)'] }], patternById, {
        paper: (id) => library.paper(id),
        papers: (p) => library.papersFor(p),
      });
      assert.match(md, /\| U\\-Net \| 80% \| L3: `x = torch\.cat\(\[x, skip\], dim=1\)` \|/);
      const hostile = modelMarkdown(HOSTILE, [{ pattern: 'unet', class: HOSTILE, line: 1, endLine: 9, confidence: 0.8, evidence: [`L3: ${HOSTILE}`] }], patternById, {
        paper: (id) => library.paper(id),
        papers: (p) => library.papersFor(p),
      });
      assert.deepEqual(links(hostile), [], 'a hostile class name or evidence line creates no link');
      assert.ok(!hostile.replace(/(`+)[\s\S]*?\1/g, '').includes('<img'), 'HTML appears only inside code spans');
    });
  });

  describe('references', () => {
    const papers = [
      { id: 'a-paper', title: 'A {Braced} Title & More', abstract: 'x', urls: ['https://x.org/a'], tags: [] },
      { id: 'b-paper', title: 'B [Bracketed]', abstract: 'y', urls: [], tags: [] },
    ];
    it('writes BibTeX with escaped titles', () => {
      assert.equal(bibtexReferences(papers), '@misc{a-paper,\n  title = {A \\{Braced\\} Title \\& More},\n  url = {https://x.org/a},\n  note = {ArchLens corpus id a-paper}\n}\n\n@misc{b-paper,\n  title = {B [Bracketed]},\n  note = {ArchLens corpus id b-paper}\n}');
    });
    it('writes a Markdown list, linked where there is a URL', () => {
      assert.equal(markdownReferences(papers), '- [A {Braced} Title & More](https://x.org/a)\n- B \\[Bracketed\\]');
    });
  });
});
