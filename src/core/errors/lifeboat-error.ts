import { type ErrorCode, errorInfo } from './registry.js';

/** Where in a plan file a problem is: 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/**
 * The one error type Lifeboat throws on purpose. It always carries a registered code, says
 * whether a retry can help, and never carries a secret (callers pass redacted details only).
 */
export class LifeboatError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly hint: string;
  readonly location: SourceLocation | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      hint?: string;
      location?: SourceLocation;
      details?: Record<string, unknown>;
      cause?: unknown;
      retryable?: boolean;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LifeboatError';
    const info = errorInfo(code);
    this.code = code;
    this.retryable = options.retryable ?? info.retryable;
    this.hint = options.hint ?? info.fix;
    this.location = options.location;
    this.details = options.details;
  }

  /** `file:line:col LB_E_... message (hint)`, the form every command prints. */
  format(): string {
    const where = this.location
      ? `${this.location.file}:${this.location.line}:${this.location.col} `
      : '';
    return `${where}${this.code} ${this.message} (${this.hint})`;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
      ...(this.location ? { location: this.location } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isLifeboatError(e: unknown): e is LifeboatError {
  return e instanceof LifeboatError;
}
