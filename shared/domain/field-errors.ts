/**
 * The one mapping from zod validation issues to the `errors` member of a problem+json answer
 * (RFC 9457), used by every route that validates input.
 */
import * as z from 'zod';

export interface FieldError {
  /** Dotted path of the failing field, e.g. "data.value.amount"; "" for the body itself. */
  field: string;
  message: string;
}

/**
 * zod issues → `[{ field, message }]` for application/problem+json `errors`. An unknown-field
 * issue becomes one entry per unknown field, named by its own path.
 */
export function fieldErrorsFromZod(issues: z.ZodError | readonly z.core.$ZodIssue[]): FieldError[] {
  const list = issues instanceof z.ZodError ? issues.issues : issues;
  const join = (path: readonly PropertyKey[]) => path.map(String).join('.');
  return list.flatMap((issue): FieldError[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: join([...issue.path, key]), message: 'Unknown field' }))
      : [{ field: join(issue.path), message: issue.message }],
  );
}
