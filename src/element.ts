/**
 * `webgpu-lstm/element`: registers <lstm-trainer>, <lstm-forecaster> and <lstm-writer> (dist/element.js is this entry
 * with every dependency and shader bundled, for pages without a bundler).
 */
import { LstmForecaster } from './component/lstm-forecaster';
import { LstmTrainer } from './component/lstm-trainer';
import { LstmWriter } from './component/lstm-writer';

if (!customElements.get('lstm-trainer')) customElements.define('lstm-trainer', LstmTrainer);
if (!customElements.get('lstm-forecaster')) customElements.define('lstm-forecaster', LstmForecaster);
if (!customElements.get('lstm-writer')) customElements.define('lstm-writer', LstmWriter);

export { LstmForecaster, LstmTrainer, LstmWriter };
export type { TrainerStatus } from './component/trainer-controller';

declare global {
  interface HTMLElementTagNameMap {
    'lstm-trainer': LstmTrainer;
    'lstm-forecaster': LstmForecaster;
    'lstm-writer': LstmWriter;
  }
}
