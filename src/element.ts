/**
 * `webgpu-lstm/element`: registers <lstm-trainer>, <lstm-forecaster>, <lstm-writer> and <lstm-race>
 * (dist/element.js is this entry with every dependency and shader bundled, for pages without a bundler).
 */
import { LstmForecaster } from './component/lstm-forecaster';
import { LstmRace } from './component/lstm-race';
import { LstmTrainer } from './component/lstm-trainer';
import { LstmWriter } from './component/lstm-writer';

if (!customElements.get('lstm-trainer')) customElements.define('lstm-trainer', LstmTrainer);
if (!customElements.get('lstm-forecaster')) customElements.define('lstm-forecaster', LstmForecaster);
if (!customElements.get('lstm-writer')) customElements.define('lstm-writer', LstmWriter);
if (!customElements.get('lstm-race')) customElements.define('lstm-race', LstmRace);

export { LstmForecaster, LstmRace, LstmTrainer, LstmWriter };
export type { TrainerStatus } from './component/trainer-controller';

declare global {
  interface HTMLElementTagNameMap {
    'lstm-trainer': LstmTrainer;
    'lstm-forecaster': LstmForecaster;
    'lstm-writer': LstmWriter;
    'lstm-race': LstmRace;
  }
}
