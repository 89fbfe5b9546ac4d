/**
 * The server answers every error as an RFC 9457 problem document. `ApiError` carries it to the
 * screens, which show `detail` in a banner and each `errors[].msg` at the field its `loc` names.
 */
export interface ProblemFieldError {
  loc: (string | number)[];
  msg: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string | undefined {
    return this.problem.code;
  }

  /** The messages addressed to one field of the body, keyed by its last path segment. */
  fieldErrors(): Record<string, string> {
    const byField: Record<string, string> = {};
    for (const error of this.problem.errors ?? []) {
      const path = error.loc.filter((part) => part !== 'body' && part !== 'query');
      const key = path.join('.');
      if (key && !(key in byField)) byField[key] = error.msg;
    }
    return byField;
  }
}

/** The problem document of a failed response, or one made up for a body that is not one. */
export async function problemOf(response: Response): Promise<Problem> {
  try {
    return problemFromBody(await response.clone().json(), response);
  } catch {
    return problemFromBody(undefined, response);
  }
}

/** The problem document from a failed response's already parsed body (openapi-fetch reads the body itself). */
export function problemFromBody(body: unknown, response: Pick<Response, 'status' | 'statusText'>): Problem {
  if (body && typeof body === 'object' && !Array.isArray(body)) return { ...(body as Partial<Problem>), status: response.status };
  return { status: response.status, title: response.statusText || 'Request failed' };
}

/** An error that came from the network itself (offline, DNS, connection reset), not the server. */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError;
}
