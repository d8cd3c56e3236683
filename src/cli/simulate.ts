/** `onevisit simulate`: the run itself is pure and lives with the definitions (the admin console shows it too). */
export { simulate, type SimulationOptions, type SimulationStep } from '../definitions/simulate.js';
