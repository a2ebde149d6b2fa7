// The forecasting demo page: the element plus a log of its events in the console.
import '../src/element';
import './site';

const el = document.querySelector('lstm-forecaster')!;
for (const type of ['series-loaded', 'epoch-end', 'forecast-end', 'error']) {
  el.addEventListener(type, (e) => console.info(`<lstm-forecaster> ${type}`, (e as CustomEvent).detail));
}
