import assert from 'node:assert/strict';
import { isSafeExternalUrl, parseFromWebview } from '../../src/shared/messages';

describe('paper panel messages (pure)', () => {
  it('lets only http(s) URLs leave the editor', () => {
    assert.equal(isSafeExternalUrl('https://github.com/yuhuixu1993/PC-DARTS'), true);
    assert.equal(isSafeExternalUrl('http://example.org/a?b=c'), true);
    for (const bad of ['javascript:alert(1)', 'command:workbench.action.terminal.new', 'file:///etc/passwd', 'vscode://x', 'data:text/html,<script>', 'not a url', 'https://a.b/<script>', 'https://a.b/x\u0000y', 'https://a.b/"onmouseover="x', 'https://a.b/`x`', 'https:\\\\evil.example', 'https://a.b/x y']) {
      assert.equal(isSafeExternalUrl(bad), false, bad);
    }
  });

  it('accepts well-formed messages from the webview and rejects the rest', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseFromWebview({ type: 'search', query: 'moe' }), { type: 'search', query: 'moe' });
    assert.deepEqual(parseFromWebview({ type: 'openPaper', id: 'a-b', highlight: ['x', 3] }), { type: 'openPaper', id: 'a-b', highlight: ['x'] });
    assert.deepEqual(parseFromWebview({ type: 'revealEvidence', file: 'file:///m.py', line: 4 }), { type: 'revealEvidence', file: 'file:///m.py', line: 4 });
    assert.deepEqual(parseFromWebview({ type: 'openModel', file: 'file:///m.py', line: 2 }), { type: 'openModel', file: 'file:///m.py', line: 2 });
    for (const bad of [null, 'ready', {}, { type: 'search', query: 'x'.repeat(501) }, { type: 'openPaper', id: '../etc', highlight: [] }, { type: 'openExternal', url: 'javascript:alert(1)' }, { type: 'revealEvidence', file: 'f', line: 0 }, { type: 'runCommand', id: 'x' }]) {
      assert.equal(parseFromWebview(bad), undefined, JSON.stringify(bad));
    }
  });
});
