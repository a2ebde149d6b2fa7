// The long-term-dependency demo page: the race element plus a log of its events in the console.
import '../src/element';
import './site';

const el = document.querySelector('lstm-race')!;
for (const type of ['race-end', 'sweep-end', 'error']) {
  el.addEventListener(type, (e) => console.info(`<lstm-race> ${type}`, (e as CustomEvent).detail));
}
