import { describe, expect, it } from 'vitest';
import { effectOfActedOn } from './partial-effect.js';

describe('effectOfActedOn', () => {
  const present = new Set(['a', 'c']);
  const act = (arg: string) => present.has(arg);

  it('is the request itself, renamed, when every argument was acted on', () => {
    const argv = ['srem', 'k', 'a', 'c'];
    const effect = effectOfActedOn(argv, 2, 'SREM', act);
    expect(effect).toBe(argv);
    expect(effect).toEqual(['SREM', 'k', 'a', 'c']);
  });

  it('is a copy naming only the arguments acted on otherwise, leaving the request alone', () => {
    const argv = ['srem', 'k', 'a', 'b', 'c', 'd'];
    const effect = effectOfActedOn(argv, 2, 'SREM', act);
    expect(effect).toEqual(['SREM', 'k', 'a', 'c']);
    expect(argv).toEqual(['srem', 'k', 'a', 'b', 'c', 'd']);
    expect(effectOfActedOn(['del', 'b', 'a'], 1, 'DEL', act)).toEqual(['DEL', 'a']);
  });

  it('is undefined when nothing was acted on', () => {
    expect(effectOfActedOn(['srem', 'k', 'b', 'd'], 2, 'SREM', act)).toBeUndefined();
  });
});
