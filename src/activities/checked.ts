import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { failureTypes } from '../batch/failures';
import { schemaIssues } from '../batch/issues';

/** An activity whose input is parsed first (a malformed one fails at once, never retried) and whose result is parsed before it is returned. */
export function checked<I extends z.ZodType, O extends z.ZodType>(name: string, input: I, output: O, run: (input: z.output<I>) => Promise<z.input<O>>) {
  return async (raw: z.input<I>): Promise<z.output<O>> => {
    const parsed = input.safeParse(raw);
    if (!parsed.success) {
      const problems = schemaIssues(parsed.error, '(input)');
      throw ApplicationFailure.nonRetryable(`${name}: invalid input: ${problems.join('; ')}`, failureTypes.invalidInput, { problems });
    }
    return output.parse(await run(parsed.data));
  };
}
