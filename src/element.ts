/**
 * `webgpu-lstm/element`: registers <lstm-trainer> (dist/element.js is this entry with every dependency
 * and shader bundled, for pages without a bundler).
 */
import { LstmTrainer } from './component/lstm-trainer';

if (!customElements.get('lstm-trainer')) customElements.define('lstm-trainer', LstmTrainer);

export { LstmTrainer };
export type { TrainerStatus } from './component/trainer-controller';

declare global {
  interface HTMLElementTagNameMap {
    'lstm-trainer': LstmTrainer;
  }
}
