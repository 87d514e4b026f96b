import assert from 'node:assert/strict';
import { closestName, didYouMean, editDistance } from '../../common/index.js';

describe('common/suggest', () => {
  it('measures edits with transpositions', () => {
    assert.equal(editDistance('Employee', 'Employe'), 1);
    assert.equal(editDistance('works_in', 'wokrs_in'), 1);
    assert.equal(editDistance('abc', 'xyz'), 3);
  });

  it('suggests only close names', () => {
    assert.equal(closestName('Employe', ['Department', 'Employee']), 'Employee');
    assert.equal(closestName('Zebra', ['Department', 'Employee']), undefined);
    assert.equal(didYouMean('employee', ['Employee']), 'did you mean `Employee`?');
  });
});
