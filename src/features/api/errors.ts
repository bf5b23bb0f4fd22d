// The API's own refusals. Each is a DomainError, so the one error handler answers it as
// problem+json with this status and title.
import { DomainError } from '../../platform/http/errors.js';

export class Unauthenticated extends DomainError {
  readonly status = 401;
  readonly title = 'Authentication required';
}

export class PreconditionFailed extends DomainError {
  readonly status = 412;
  readonly title = 'The record has changed';
}

export class UnsupportedMediaType extends DomainError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
}
