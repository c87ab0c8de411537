export { batchExtraction } from './batch';
