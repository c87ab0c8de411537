export {
  anthropicExtractorVersion,
  checkAnswer,
  createAnthropicExtractor,
  type AnthropicExtractor,
  type AnthropicExtractorOptions,
  type AnthropicModels,
  type FirstAnswer,
  type FirstRequest,
} from './extractor';
export type { CacheTtl } from './prompt';
export { retryAfterMs, toExtractionError } from './api-errors';
export { mergePartData } from './merge';
export { defaultRoutingThresholds, routeModel, type DocumentProfile, type ModelRoute, type RoutingThresholds } from './routing';
export { apiRequestLimits, type RequestLimits } from './split';
