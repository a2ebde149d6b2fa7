// The text-generation demo page: the element plus a log of its events in the console.
import '../src/element';
import './site';

const el = document.querySelector('lstm-writer')!;
for (const type of ['text-loaded', 'epoch-end', 'sample', 'train-end', 'error']) {
  el.addEventListener(type, (e) => console.info(`<lstm-writer> ${type}`, (e as CustomEvent).detail));
}
