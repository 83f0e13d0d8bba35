/** The playground's token field: what a typed token becomes, and how it joins the Headers editor's headers. */
import { readBearer } from '../../src/auth/credentials';
import { bearerValue, withAuthorization } from '../../src/playground/app/token';

describe('bearerValue', () => {
  it.each([
    ['abc123', 'Bearer abc123'],
    ['  abc123\n', 'Bearer abc123'],
    ['Bearer abc123', 'Bearer abc123'],
    ['bearer   abc123', 'Bearer abc123'],
    ['Authorization: Bearer abc123', 'Bearer abc123'],
  ])('turns %j into %j, which the server reads as the token', (typed, value) => {
    expect(bearerValue(typed)).toBe(value);
    expect(readBearer(value)).toEqual({ kind: 'token', token: 'abc123' });
  });

  it.each(['', '   ', 'Bearer ', 'Authorization: Bearer  '])('treats %j as no token', (typed) => {
    expect(bearerValue(typed)).toBeUndefined();
  });

  it('passes a token with a space through, for the server to refuse as malformed rather than guess', () => {
    expect(readBearer(bearerValue('abc 123'))).toEqual({ kind: 'malformed' });
  });
});

describe('withAuthorization', () => {
  it('adds authorization (one lower-case key, for HTTP headers and graphql-ws connectionParams alike)', () => {
    expect(withAuthorization(undefined, 'Bearer t')).toEqual({ authorization: 'Bearer t' });
    expect(withAuthorization({ 'x-trace': '1' }, 'Bearer t')).toEqual({ 'x-trace': '1', authorization: 'Bearer t' });
  });

  it('replaces an Authorization from the Headers editor in any case, so only one is ever sent', () => {
    const headers = { Authorization: 'Bearer old', AUTHORIZATION: 'Bearer older', 'x-trace': '1' };

    expect(withAuthorization(headers, 'Bearer t')).toEqual({ 'x-trace': '1', authorization: 'Bearer t' });
    expect(headers.Authorization).toBe('Bearer old'); // the editor's object is not changed
  });

  it('leaves the headers as they are when the field is empty, so a token in the Headers editor still works', () => {
    expect(withAuthorization({ Authorization: 'Bearer old' }, undefined)).toEqual({ Authorization: 'Bearer old' });
    expect(withAuthorization(undefined, undefined)).toBeUndefined();
  });
});
