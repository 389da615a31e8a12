/**
 * The one error type the HTTP layer and CLI understand: a stable machine code, an HTTP status,
 * a message safe to show the caller, and the underlying cause for the logs.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly publicMessage: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(publicMessage, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'AppError';
    this.details = options?.details;
  }
  readonly details?: Record<string, unknown>;
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError('bad_request', 400, message, { details });
export const unauthorized = (message = 'Unauthorized') => new AppError('unauthorized', 401, message);
export const forbidden = (message = 'Forbidden') => new AppError('forbidden', 403, message);
export const notFound = (message = 'Not found') => new AppError('not_found', 404, message);
export const payloadTooLarge = (message: string) => new AppError('payload_too_large', 413, message);
export const serviceUnavailable = (message: string, cause?: unknown) =>
  new AppError('service_unavailable', 503, message, { cause });
