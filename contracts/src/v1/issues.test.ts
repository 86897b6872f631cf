import { describeValue, formatPath } from './issues';

describe('formatPath', () => {
  it.each([
    [[], '(root)'],
    [['occurredAt'], 'occurredAt'],
    [['data', 'participants', 2, 'phone'], 'data.participants[2].phone'],
    [[0, 'id'], '[0].id'],
    [['data', 'tên người'], 'data["tên người"]'],
    [['data', 'a.b'], 'data["a.b"]'],
    [['data', '__proto__'], 'data.__proto__'],
  ])('when the path is %j, then it reads %s', (path, readable) => {
    expect(formatPath(path)).toBe(readable);
  });
});

describe('describeValue', () => {
  it.each([
    [null, 'null'],
    [[1], 'an array'],
    [{}, 'an object'],
    ['', 'a string'],
    [Number.NaN, 'NaN'],
    [1n, 'a bigint'],
    [undefined, 'nothing'],
  ])('when the value is %p, then it is described as %s', (value, described) => {
    expect(describeValue(value)).toBe(described);
  });
});
