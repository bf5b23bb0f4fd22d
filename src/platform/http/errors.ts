// The few typed errors domain code may throw. They are mapped to HTTP in exactly one place
// (src/platform/http/error-handler.ts): HTML pages get NHS.UK error pages, the API problem+json.

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
}

export class NotFound extends DomainError {
  readonly status = 404;
  readonly title = 'Page not found';
}

export class Forbidden extends DomainError {
  readonly status = 403;
  readonly title = 'You do not have access to this';
  /** When set, the 403 page offers to break glass for this person. */
  constructor(
    message: string,
    readonly breakGlassPersonId?: string,
  ) {
    super(message);
  }
}

export class Conflict extends DomainError {
  readonly status = 409;
  readonly title = 'This conflicts with an existing record';
  constructor(
    message: string,
    readonly existingHref?: string,
  ) {
    super(message);
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class Invalid extends DomainError {
  readonly status = 400;
  readonly title = 'There is a problem';
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

export class SignInRequired extends DomainError {
  readonly status = 401;
  readonly title = 'Sign-in required';
}

export class PasswordChangeRequired extends DomainError {
  readonly status = 403;
  readonly title = 'Choose a new password first';
}
