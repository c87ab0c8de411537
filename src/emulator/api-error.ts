/** The API's error type for each HTTP status the emulator answers with. */
const errorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export const errorTypeOf = (status: number): string => errorTypes[status] ?? 'api_error';

/** The API's error body. */
export function errorBody(status: number, message: string, requestId: string | null) {
  return { type: 'error' as const, error: { type: errorTypeOf(status), message }, request_id: requestId };
}
