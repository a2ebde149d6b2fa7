/**
 * `webgpu-lstm/element`: registers <lstm-trainer> and <lstm-forecaster> (dist/element.js is this entry
 * with every dependency and shader bundled, for pages without a bundler).
 */
import { LstmForecaster } from './component/lstm-forecaster';
import { LstmTrainer } from './component/lstm-trainer';

if (!customElements.get('lstm-trainer')) customElements.define('lstm-trainer', LstmTrainer);
if (!customElements.get('lstm-forecaster')) customElements.define('lstm-forecaster', LstmForecaster);

export { LstmForecaster, LstmTrainer };
export type { TrainerStatus } from './component/trainer-controller';

declare global {
  interface HTMLElementTagNameMap {
    'lstm-trainer': LstmTrainer;
    'lstm-forecaster': LstmForecaster;
  }
}
