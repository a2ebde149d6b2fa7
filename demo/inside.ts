// The "Inside" page: <lstm-trainer> with "Inside the model" open, and a log of its events in the console.
import '../src/element';
import './site';

const el = document.querySelector('lstm-trainer')!;
for (const type of ['dataset-loaded', 'epoch-end', 'train-end', 'error']) {
  el.addEventListener(type, (e) => console.info(`<lstm-trainer> ${type}`, (e as CustomEvent).detail));
}
