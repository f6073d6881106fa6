import assert from 'node:assert/strict';
import { readSettings, settingsWarning } from '../../src/editor/settings';

describe('settings warning (pure)', () => {
  const ids = ['unet', 'vae'];

  it('is nothing when every value is valid', () => {
    assert.equal(settingsWarning(readSettings({ minConfidence: 0.7, patterns: ['unet'] }, ids, true).warnings), undefined);
  });

  it('is the warning itself for one invalid value', () => {
    const { warnings } = readSettings({ minConfidence: 'high' }, ids, true);
    assert.equal(settingsWarning(warnings), warnings[0]);
    assert.match(settingsWarning(warnings)!, /^archlens\.minConfidence must be a number from 0 to 1, not "high"; using 0\.5\.$/);
  });

  it('is one message naming each invalid setting once, and no valid one, for several', () => {
    const { warnings } = readSettings({ minConfidence: 'high', maxFileSize: -5, patterns: ['nope', 'unet'], debounceMs: 300, 'features.hover': 'yes' }, ids, true);
    assert.equal(warnings.length, 4);
    const message = settingsWarning(warnings)!;
    assert.match(message, /^4 settings have invalid values, which are ignored: /);
    assert.deepEqual(message.match(/archlens(?:\.\w+)+/g), ['archlens.features.hover', 'archlens.minConfidence', 'archlens.maxFileSize', 'archlens.patterns']);
    assert.match(message, /archlens\.patterns\. The log says what each one uses instead\.$/);
  });
});
