import type { JsonObject } from './json.ts';

/** One entry of `details.causes` in a Status, as the API server reports field errors. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  /** The resource (plural) for most errors, the Kind for Invalid, as the API server does. */
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/**
 * A failed API request: carries the HTTP code, the `reason` of the Status object, and its details.
 * The router turns it into a `kind: Status` body; watch turns it into an ERROR event.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

export function failureStatus(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): JsonObject {
  const status: JsonObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
  };
  if (details) status.details = JSON.parse(JSON.stringify(details)) as JsonObject;
  status.code = code;
  return status;
}

/** The Status a delete returns when the object is gone at once (built-in kinds). */
export function successStatus(details: StatusDetails): JsonObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: JSON.parse(JSON.stringify(details)) as JsonObject,
  };
}

/** A group-qualified resource name as the API server prints it in messages: `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function grDetails(gr: GroupResource, name: string): StatusDetails {
  return gr.group ? { name, group: gr.group, kind: gr.resource } : { name, kind: gr.resource };
}

export const errors = {
  notFound(gr: GroupResource, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, grDetails(gr, name));
  },
  alreadyExists(gr: GroupResource, name: string): ApiError {
    return new ApiError(
      409,
      'AlreadyExists',
      `${qualified(gr)} "${name}" already exists`,
      grDetails(gr, name),
    );
  },
  conflict(gr: GroupResource, name: string, why: string): ApiError {
    return new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
      grDetails(gr, name),
    );
  },
  staleResourceVersion(gr: GroupResource, name: string): ApiError {
    return errors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },
  /** 422 Invalid: `kind` is the object's Kind here, as in the API server. */
  invalid(group: string, kind: string, name: string, causes: StatusCause[]): ApiError {
    const list = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const message =
      list.length === 1
        ? `${kind} "${name}" is invalid: ${list[0]}`
        : `${kind} "${name}" is invalid: [${list.join(', ')}]`;
    const details: StatusDetails = { name, ...(group ? { group } : {}), kind, causes };
    return new ApiError(422, 'Invalid', message, details);
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  methodNotAllowed(): ApiError {
    return new ApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  },
  noResource(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  /** What a watch or a paged list answers for a resourceVersion that is no longer retained. */
  expired(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  unauthorized(): ApiError {
    return new ApiError(401, 'Unauthorized', 'Unauthorized');
  },
  forbidden(gr: GroupResource, name: string, why: string): ApiError {
    return new ApiError(
      403,
      'Forbidden',
      `${qualified(gr)} "${name}" is forbidden: ${why}`,
      grDetails(gr, name),
    );
  },
  unsupportedMediaType(contentType: string): ApiError {
    return new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format: ${contentType}`,
    );
  },
  tooLarge(limit: number): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
  },
};
