import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { patternById, type PatternFinding } from '../../src/core/analyze';
import type { Paper } from '../../src/core/corpus/types';
import type { PatternPapers } from '../../src/core/knowledge/papers-for';
import {
  blockDocumentation,
  citationDocumentation,
  citationHoverMarkdown,
  citationInsertText,
  companionDocumentation,
  plainTitle,
  unknownCitationMarkdown,
} from '../../src/editor/render/completion';
import { modelMarkdown, patternMarkdown } from '../../src/editor/render/explanation';
import { HOVER_COMMANDS, hoverMarkdown } from '../../src/editor/render/hover';
import { lensTitle } from '../../src/editor/render/lens';
import { notificationText } from '../../src/editor/render/notification';
import { escapeMarkdown, inlineCode } from '../../src/editor/render/markdown';
import { escapeAttribute, panelCsp, panelHtml } from '../../src/editor/render/panel';
import { bibtexReferences, markdownReferences } from '../../src/editor/render/references';
import { isSafeExternalUrl } from '../../src/shared/messages';
import { flat, HOSTILE_STRINGS, hostilePaper, inspectMarkdown, type RenderedMarkup } from './hostile';

const MOE = patternById('mixture-of-experts')!;
const papersOf = (papers: Paper[]): PatternPapers => ({ papers: papers.map((paper) => ({ paper, score: 1, matched: {} })) }) as unknown as PatternPapers;

/** Links a hover or completion may hold: ArchLens's own allow-listed commands, nothing else. */
function assertOnlyArchLensCommandLinks(rendered: RenderedMarkup, context: string): void {
  for (const href of rendered.hrefs) {
    const command = /^command:([\w.]+)(\?|$)/.exec(href)?.[1];
    assert.ok(command && (HOVER_COMMANDS as readonly string[]).includes(command), `${context}: unexpected link ${href}\n${rendered.html}`);
  }
}

function assertInert(rendered: RenderedMarkup, context: string): void {
  assert.deepEqual(rendered.unsafeTags, [], `${context}: active markup\n${rendered.html}`);
  assert.equal(rendered.images, 0, `${context}: an image would load\n${rendered.html}`);
}

describe('hostile strings are shown as text on every surface (pure renderers)', () => {
  describe('escapeMarkdown and inlineCode', () => {
    for (const payload of HOSTILE_STRINGS) {
      it(`escapes ${JSON.stringify(payload).slice(0, 60)}`, () => {
        const escaped = inspectMarkdown(escapeMarkdown(payload));
        assertInert(escaped, 'escapeMarkdown');
        assert.deepEqual(escaped.hrefs, []);
        assert.equal(escaped.text.trim(), flat(payload).trim(), 'the text reads exactly as written');
        const code = inspectMarkdown(inlineCode(payload));
        assertInert(code, 'inlineCode');
        assert.deepEqual(code.hrefs, []);
        assert.equal(code.html.match(/<code>/g)?.length, 1, `one code span: ${code.html}`);
        assert.ok(code.text.includes(flat(payload).trim()), `the code span shows the text: ${code.html}`);
      });
    }
  });

  describe('hover cards', () => {
    for (const [index, payload] of HOSTILE_STRINGS.entries()) {
      it(`class name, evidence, paper and note ${index}`, () => {
        const finding: PatternFinding = { pattern: MOE.id, class: payload, line: 3, endLine: 9, confidence: 0.9, evidence: ['L4: self.router = nn.Linear(d, n)', `L5: x = 1  # ${payload}`] };
        const withPapers = inspectMarkdown(hoverMarkdown({ className: payload, findings: [finding], uri: 'file:///m.py', pattern: patternById, papers: () => papersOf([hostilePaper(payload)]) }));
        assertInert(withPapers, 'hover');
        assertOnlyArchLensCommandLinks(withPapers, 'hover');
        assert.ok(withPapers.text.includes(`Title ${flat(payload)}`.trim()), `the paper title reads as written:\n${withPapers.text}`);
        assert.ok(withPapers.text.includes(`x = 1  # ${flat(payload)}`.trim()), 'the evidence line reads as written');
        const withNote = inspectMarkdown(hoverMarkdown({ className: null, findings: [finding], uri: 'file:///m.py', pattern: patternById, papers: () => ({ papers: [], note: payload }) as unknown as PatternPapers }));
        assertInert(withNote, 'hover note');
        assertOnlyArchLensCommandLinks(withNote, 'hover note');
      });
    }

    it('keeps its own command links working (the check above is not vacuous)', () => {
      const md = inspectMarkdown(hoverMarkdown({ className: 'M', findings: [{ pattern: MOE.id, class: 'M', line: 1, endLine: 2, confidence: 1, evidence: ['L2: x'] }], uri: 'file:///m.py', pattern: patternById, papers: () => papersOf([hostilePaper('x')]) }));
      const commands = md.hrefs.map((h) => /^command:([\w.]+)/.exec(h)?.[1]);
      assert.deepEqual([...new Set(commands)].sort(), ['archlens.explainPattern', 'archlens.openPaper', 'archlens.revealLine', 'archlens.showPatternPapers']);
    });

    it('citation hovers show a hostile title and abstract as text', () => {
      for (const [index, payload] of HOSTILE_STRINGS.entries()) {
        const paper = hostilePaper(payload, index);
        const rendered = inspectMarkdown(citationHoverMarkdown(paper));
        assertInert(rendered, 'citation hover');
        assertOnlyArchLensCommandLinks(rendered, 'citation hover');
        assert.equal(rendered.hrefs.length, 1, 'only the Open abstract link');
        assert.ok(rendered.text.includes(flat(paper.title).trim()));
        const unknown = inspectMarkdown(unknownCitationMarkdown(payload));
        assertInert(unknown, 'unknown citation');
        assert.deepEqual(unknown.hrefs, []);
      }
    });
  });

  describe('completions', () => {
    for (const [index, payload] of HOSTILE_STRINGS.entries()) {
      it(`documentation and inserted text ${index}`, () => {
        const paper = hostilePaper(payload, index);
        for (const [name, md] of [
          ['citation', citationDocumentation(paper)],
          ['building block', blockDocumentation(MOE, [paper])],
          ['missing piece', companionDocumentation(payload, paper)],
        ] as const) {
          const rendered = inspectMarkdown(md);
          assertInert(rendered, name);
          assertOnlyArchLensCommandLinks(rendered, name);
        }
        // Inserted into a comment: one line, and its brackets cannot end the `[id]` early.
        const inserted = citationInsertText(paper);
        assert.ok(!/[\r\n]/.test(inserted), JSON.stringify(inserted));
        assert.equal(inserted.match(/[[\]]/g)?.join(''), '[]');
        assert.ok(inserted.endsWith(` [${paper.id}]`));
        assert.ok(!/[\r\n]/.test(plainTitle(paper.title)));
      });
    }
  });

  describe('code lenses', () => {
    it('never turn a name into an icon', () => {
      const title = lensTitle(['$(zap) Mixture of experts', 'x $(trash)'], 2);
      assert.ok(!/(?<!\\)\$\(/.test(title), title);
      assert.equal(title.replace(/\\\$\(/g, '$('), '$(zap) Mixture of experts · X $(trash) — 2 papers · trade-offs');
    });
  });

  describe('notifications', () => {
    // VS Code's notifications link `[label](target)` for http(s), file: and command: targets.
    const NOTIFICATION_LINK = /\[[^\]]+\]\((?:https?:\/\/|command:|file:)[^)\s]+/i;

    it('never link a setting value or file name quoted in a message', () => {
      const linked = HOSTILE_STRINGS.filter((payload) => NOTIFICATION_LINK.test(payload));
      assert.ok(linked.length >= 3, 'the fixture list holds link payloads (the check is not vacuous)');
      for (const payload of HOSTILE_STRINGS) {
        const message = notificationText(`ArchLens: archlens.minConfidence must be a number from 0 to 1, not ${JSON.stringify(payload)}; using 0.5.`);
        assert.ok(!NOTIFICATION_LINK.test(message), message);
        assert.equal(message.replace(/\] \(/g, ']('), `ArchLens: archlens.minConfidence must be a number from 0 to 1, not ${JSON.stringify(payload)}; using 0.5.`.replace(/\]\s*\(/g, ']('));
      }
    });
  });

  describe('explanation documents', () => {
    for (const [index, payload] of HOSTILE_STRINGS.entries()) {
      it(`pattern and model explanations ${index}`, () => {
        const paper = hostilePaper(payload, index);
        const context = { paper: () => paper, papers: () => papersOf([paper]) };
        const finding: PatternFinding = { pattern: MOE.id, class: payload, line: 1, endLine: 9, confidence: 0.8, evidence: [`L3: y = f(x) # ${payload} | cell`] };
        for (const [name, md] of [
          ['pattern', patternMarkdown(MOE, context)],
          ['model', modelMarkdown(payload, [finding], patternById, context)],
        ] as const) {
          const rendered = inspectMarkdown(md);
          assertInert(rendered, name);
          // The only links: the papers' http(s) URLs (javascript: and command: URLs are dropped).
          for (const href of rendered.hrefs) assert.ok(isSafeExternalUrl(href) && href.startsWith('https://ok.example/'), `${name}: unexpected link ${href}`);
          assert.ok(rendered.text.includes(flat(paper.title).trim()), `${name}: the title reads as written`);
        }
        const table = inspectMarkdown(modelMarkdown('M', [finding], patternById, context));
        assert.ok(table.html.includes('<table>'), 'the evidence table survives a pipe in the evidence');
        assert.ok(table.text.includes(`y = f(x) # ${flat(payload)} | cell`.trim()), `the evidence reads as written:\n${table.html.slice(0, 600)}`);
      });
    }
  });

  describe('copied references', () => {
    it('link only http(s) URLs and keep hostile titles as text', () => {
      const papers = HOSTILE_STRINGS.map((payload, index) => hostilePaper(payload, index));
      const rendered = inspectMarkdown(markdownReferences(papers));
      assertInert(rendered, 'references');
      assert.equal(rendered.hrefs.length, papers.length);
      for (const href of rendered.hrefs) assert.equal(href, 'https://ok.example/a?b=%28c%29');
      const bib = bibtexReferences([hostilePaper('}, note = {injected')]);
      assert.ok(!bib.includes('javascript:'), bib);
      assert.match(bib, /title = \{Title \\\}, note = \\\{injected\}/);
    });
  });

  describe('the paper panel page', () => {
    it('has a strict policy: no inline script or style, only its own nonce script', () => {
      const csp = panelCsp('https://res.example', 'abc123');
      assert.match(csp, /^default-src 'none'; /);
      assert.ok(!/unsafe-(inline|eval)|\*/.test(csp), csp);
      assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
      const html = panelHtml({ cspSource: 'https://res.example', scriptUri: 'https://res.example/w.js?a="><script>x</script>', styleUri: 'https://res.example/p.css', nonce: 'abc123' });
      assert.equal(html.match(/<script/g)?.length, 1, 'no script element but the panel\'s own');
      assert.ok(html.includes(`src="${escapeAttribute('https://res.example/w.js?a="><script>x</script>')}"`));
      assert.equal(escapeAttribute(`"'<>&`), '&#34;&#39;&#60;&#62;&#38;');
    });

    it('builds its DOM from text only: the webview script never parses HTML', () => {
      const source = readFileSync(join(__dirname, '..', '..', 'src', 'webview', 'main.ts'), 'utf8');
      for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'createContextualFragment', 'DOMParser', 'srcdoc', 'eval(', 'new Function', '.href = url', 'setAttribute(\'href']) {
        assert.ok(!source.includes(sink), `src/webview/main.ts uses ${sink}`);
      }
    });
  });
});
