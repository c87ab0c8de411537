export { anthropicExtractorVersion, createAnthropicExtractor, type AnthropicExtractorOptions, type AnthropicModels } from './extractor';
export { retryAfterMs, toExtractionError } from './api-errors';
export { mergePartData } from './merge';
export { defaultRoutingThresholds, routeModel, type DocumentProfile, type ModelRoute, type RoutingThresholds } from './routing';
export { apiRequestLimits, type RequestLimits } from './split';
