import seedrandom from 'seedrandom';
import { type LabelledTexts } from '../../src/data/dataset';

const FILLER = ['the', 'movie', 'food', 'service', 'was', 'really', 'quite', 'and', 'very', 'it', 'place', 'phone', 'plot', 'staff', 'a', 'so'];

/** A generated sentiment task: each sentence holds filler words and one of "good"/"great" (positive) or "bad"/"awful" (negative). */
export function generatedCorpus(n: number, seed: string): LabelledTexts {
  const r = seedrandom(seed);
  const texts: string[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const pos = r() < 0.5;
    const words = Array.from({ length: 2 + Math.floor(r() * 7) }, () => FILLER[Math.floor(r() * FILLER.length)]!);
    const key = pos ? (r() < 0.5 ? 'good' : 'Great!') : r() < 0.5 ? 'bad' : 'AWFUL.';
    words.splice(Math.floor(r() * (words.length + 1)), 0, key);
    texts.push(words.join(' '));
    labels.push(pos ? 1 : 0);
  }
  return { texts, labels, labelNames: ['negative', 'positive'] };
}
