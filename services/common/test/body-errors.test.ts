import { bodyErrorProblem, isJsonContentType, mediaType } from '../src/http';

describe('body-parser errors as problems', () => {
  it('when no wording is given, then each refusal gets the shared answer', () => {
    expect(bodyErrorProblem({ type: 'entity.too.large', status: 413 })).toEqual({ kind: 'too-large', problem: { type: '/problems/too-large', title: 'Body too large', status: 413 } });
    expect(bodyErrorProblem({ type: 'entity.parse.failed', status: 400, message: 'Unexpected token' })).toEqual({
      kind: 'malformed-json',
      problem: { type: '/problems/malformed-json', title: 'Malformed JSON', status: 400, errors: [{ path: '(body)', message: 'not valid JSON, or not a JSON object' }] },
    });
    expect(bodyErrorProblem({ type: 'charset.unsupported', status: 415 })?.problem).toEqual({ type: '/problems/unsupported-media-type', title: 'Unsupported encoding', status: 415, detail: 'Send UTF-8 JSON.' });
    expect(bodyErrorProblem({ type: 'request.aborted', status: 400, message: 'request aborted' })?.problem).toEqual({ type: '/problems/bad-request', title: 'Bad request', status: 400 });
  });

  it("when a service words a refusal its own way, then its wording is used, and a kind it turns off gets the generic 4xx answer", () => {
    const wording = { malformed: { detail: (m: string | undefined) => `The body is not valid JSON: ${m ?? 'parse error'}.`, fieldMessage: 'not valid JSON' }, tooLarge: false as const, badRequestDetail: true };
    expect(bodyErrorProblem({ type: 'entity.parse.failed', status: 400, message: 'Unexpected token' }, wording)?.problem.detail).toBe('The body is not valid JSON: Unexpected token.');
    expect(bodyErrorProblem({ type: 'entity.too.large', status: 413, message: 'request entity too large' }, wording)).toEqual({ kind: 'bad-request', problem: { type: '/problems/bad-request', title: 'Bad request', status: 413, detail: 'request entity too large' } });
  });

  it('when the error is not from body-parser, then there is no problem for it', () => {
    expect(bodyErrorProblem(new Error('redis down'))).toBeUndefined();
    expect(bodyErrorProblem({ status: 503 })).toBeUndefined();
    expect(bodyErrorProblem('a string')).toBeUndefined();
  });
});

describe('JSON content types', () => {
  it('when the type is application/json or application/*+json with parameters, then it is JSON; anything else is not', () => {
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/merge-patch+json')).toBe(true);
    expect(isJsonContentType('text/json')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
    expect(mediaType(' text/CSV ; charset=utf-8')).toBe('text/csv');
  });
});
