import { describe, expect, it } from 'vitest';
import { classificationReport, formatFixed, formatReport } from '../src/metrics/report';

describe('classification report (sklearn numbers and layout)', () => {
  // 10 rows, imbalanced: 6 of class a, 3 of b, 1 of c; c is never predicted (zero division → 0).
  const yTrue = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2];
  const yPred = [0, 0, 0, 0, 1, 0, 1, 1, 0, 1];
  const r = classificationReport(yTrue, yPred, ['a', 'b', 'c']);

  it('per-class, accuracy, macro and weighted averages computed by hand', () => {
    expect(r.confusion).toEqual([[5, 1, 0], [1, 2, 0], [0, 1, 0]]);
    // a: tp 5, predicted 6, support 6 → p 5/6, r 5/6, f1 5/6
    expect(r.classes[0]!.precision).toBeCloseTo(5 / 6, 12);
    expect(r.classes[0]!.recall).toBeCloseTo(5 / 6, 12);
    expect(r.classes[0]!.f1).toBeCloseTo(5 / 6, 12);
    // b: tp 2, predicted 4, support 3 → p 0.5, r 2/3, f1 = 2·0.5·(2/3)/(0.5+2/3) = 4/7
    expect(r.classes[1]!.precision).toBeCloseTo(0.5, 12);
    expect(r.classes[1]!.recall).toBeCloseTo(2 / 3, 12);
    expect(r.classes[1]!.f1).toBeCloseTo(4 / 7, 12);
    // c: never predicted: precision 0/0 → 0, recall 0, f1 0
    expect(r.classes[2]).toEqual({ label: 'c', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(r.accuracy).toBeCloseTo(0.7, 12);
    expect(r.macroAvg.precision).toBeCloseTo((5 / 6 + 0.5) / 3, 12);
    expect(r.macroAvg.f1).toBeCloseTo((5 / 6 + 4 / 7) / 3, 12);
    expect(r.weightedAvg.recall).toBeCloseTo((6 * (5 / 6) + 3 * (2 / 3)) / 10, 12);
    expect(r.weightedAvg.f1).toBeCloseTo((6 * (5 / 6) + 3 * (4 / 7)) / 10, 12);
  });

  it('prints the layout sklearn prints', () => {
    expect(formatReport(r)).toBe(
      [
        '              precision    recall  f1-score   support',
        '',
        '           a       0.83      0.83      0.83         6',
        '           b       0.50      0.67      0.57         3',
        '           c       0.00      0.00      0.00         1',
        '',
        '    accuracy                           0.70        10',
        '   macro avg       0.44      0.50      0.47        10',
        'weighted avg       0.65      0.70      0.67        10',
        '',
      ].join('\n'),
    );
  });

  it('rounds as Python formats floats (exact binary value, ties to even), not as toFixed', () => {
    // Exact binary ties: Python format(x, '.2f') → 0.62, 0.12, 0.38, 0.88; toFixed gives 0.63 and 0.13.
    expect([0.625, 0.125, 0.375, 0.875].map((v) => formatFixed(v, 2))).toEqual(['0.62', '0.12', '0.38', '0.88']);
    expect([0.5, 1.5, 2.5].map((v) => formatFixed(v, 0))).toEqual(['0', '2', '2']);
    // Not ties in binary: 1.005 is stored below 1.005, 0.3 as 0.299999…; 2/3 rounds up.
    expect([1.005, 0.3, 2 / 3, 0, 1, -0.625].map((v) => formatFixed(v, 2))).toEqual(['1.00', '0.30', '0.67', '0.00', '1.00', '-0.62']);
    expect(formatFixed(5 / 6, 4)).toBe('0.8333');
    // A report with a tie: class a precision 5/8 = 0.625 prints as scikit-learn prints it.
    const tie = classificationReport([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0, 1, 1], ['a', 'b']);
    expect(formatReport(tie).split('\n')[2]).toBe('           a       0.62      1.00      0.77         5');
  });
});
