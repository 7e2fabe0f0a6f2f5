import { describe, expect, it } from 'vitest';
import {
  integer,
  keyspaceEvents,
  memory,
  memoryOrPercent,
  octal,
  oneOf,
  outputBufferLimits,
  parseMemory,
  parseStrictInteger,
  percentileList,
  replicaOf,
  saveParams,
  shutdownFlags,
  wordList,
  yesNo,
  type OutputBufferLimits,
  type ValueCodec,
} from './codecs.js';
import { ConfigError } from './errors.js';

function parse<T>(codec: ValueCodec<T>, args: string[], previous?: T, repeated = false): T {
  return codec.parse(args, { previous: previous as T, repeated });
}

function parseError<T>(codec: ValueCodec<T>, args: string[], previous?: T): string {
  try {
    parse(codec, args, previous);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(args)} to be rejected`);
}

describe('parseMemory', () => {
  it.each([
    ['0', 0n],
    ['100', 100n],
    ['100b', 100n],
    ['1k', 1000n],
    ['1K', 1000n],
    ['1kb', 1024n],
    ['1KB', 1024n],
    ['1kB', 1024n],
    ['2m', 2_000_000n],
    ['2mb', 2n * 1024n * 1024n],
    ['1g', 1_000_000_000n],
    ['1gb', 1024n ** 3n],
    ['1GB', 1024n ** 3n],
    ['007', 7n],
  ])('%s = %s bytes', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it.each(['', '-1', '-0', '+1', '1.5gb', '1GB ', ' 1', '1tb', 'gb', '0x10', '1 kb', '1e3'])(
    'rejects %j',
    (text) => {
      expect(parseMemory(text)).toBeNull();
    },
  );
});

describe('parseStrictInteger', () => {
  it('accepts canonical decimal integers only', () => {
    expect(parseStrictInteger('0')).toBe(0n);
    expect(parseStrictInteger('-1')).toBe(-1n);
    expect(parseStrictInteger('9223372036854775807')).toBe(9223372036854775807n);
    for (const bad of ['', '05', '+5', ' 5', '5 ', '-0', '1.0', 'abc', '1k', '-', '12345678901234567890']) {
      expect(parseStrictInteger(bad), bad).toBeNull();
    }
  });
});

describe('yesNo', () => {
  it('parses yes/no case-insensitively and prints yes/no', () => {
    const codec = yesNo();
    expect(parse(codec, ['yes'])).toBe(true);
    expect(parse(codec, ['YES'])).toBe(true);
    expect(parse(codec, ['No'])).toBe(false);
    expect(codec.format(true)).toBe('yes');
    expect(codec.format(false)).toBe('no');
  });
  it('rejects anything else', () => {
    for (const bad of ['maybe', '1', '0', 'true', '', ' yes']) {
      expect(parseError(yesNo(), [bad])).toBe("argument must be 'yes' or 'no'");
    }
  });
  it('needs exactly one argument', () => {
    expect(parseError(yesNo(), [])).toBe('wrong number of arguments');
    expect(parseError(yesNo(), ['yes', 'no'])).toBe('wrong number of arguments');
  });
});

describe('oneOf', () => {
  const policy = oneOf('volatile-lru', 'allkeys-lru', 'noeviction');
  it('matches case-insensitively and stores the canonical spelling', () => {
    expect(parse(policy, ['ALLKEYS-LRU'])).toBe('allkeys-lru');
  });
  it('lists the choices in the error', () => {
    expect(parseError(policy, ['foo'])).toBe(
      'argument(s) must be one of the following: volatile-lru, allkeys-lru, noeviction',
    );
  });
});

describe('integer', () => {
  const port = integer({ min: 0, max: 65535 });
  it('checks syntax and bounds with Redis wording', () => {
    expect(parse(port, ['6380'])).toBe(6380);
    expect(parseError(port, ['abc'])).toBe("argument couldn't be parsed into an integer");
    expect(parseError(port, ['1k'])).toBe("argument couldn't be parsed into an integer");
    expect(parseError(port, ['-1'])).toBe('argument must be between 0 and 65535 inclusive');
    expect(parseError(port, ['70000'])).toBe('argument must be between 0 and 65535 inclusive');
    expect(parseError(port, ['99999999999999999999'])).toBe("argument couldn't be parsed into an integer");
  });
  it('normalizes accepted values when asked to', () => {
    const hz = integer({ min: 0, max: 100000, normalize: (v) => Math.min(Math.max(v, 1), 500) });
    expect(parse(hz, ['0'])).toBe(1);
    expect(parse(hz, ['600'])).toBe(500);
    expect(parse(hz, ['50'])).toBe(50);
  });
});

describe('memory', () => {
  const bulk = memory({ min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER });
  it('accepts units and prints bytes', () => {
    expect(parse(bulk, ['1mb'])).toBe(1048576);
    expect(bulk.format(parse(bulk, ['512mb']))).toBe('536870912');
  });
  it('rejects bad syntax and out-of-range amounts', () => {
    expect(parseError(bulk, ['1.5gb'])).toBe('argument must be a memory value');
    expect(parseError(bulk, ['-1'])).toBe('argument must be a memory value');
    expect(parseError(bulk, ['100'])).toBe(
      `argument must be between 1048576 and ${Number.MAX_SAFE_INTEGER} inclusive`,
    );
    expect(parseError(bulk, ['99999999gb'])).toBe(
      `argument must be between 1048576 and ${Number.MAX_SAFE_INTEGER} inclusive`,
    );
  });
});

describe('memoryOrPercent', () => {
  const codec = memoryOrPercent({ min: 0, max: Number.MAX_SAFE_INTEGER });
  it('keeps a percentage or bytes', () => {
    expect(parse(codec, ['10%'])).toBe('10%');
    expect(parse(codec, ['1kb'])).toBe('1024');
    expect(parseError(codec, ['x%'])).toBe('argument must be a memory or percent value');
    expect(parseError(codec, ['abc'])).toBe('argument must be a memory or percent value');
  });
});

describe('wordList', () => {
  const bind = wordList(3, 'Too many bind addresses specified.');
  it('takes several arguments or one space-separated argument', () => {
    expect(parse(bind, ['127.0.0.1', '-::1'])).toEqual(['127.0.0.1', '-::1']);
    expect(parse(bind, ['127.0.0.1 -::1'])).toEqual(['127.0.0.1', '-::1']);
    expect(parse(bind, [])).toEqual([]);
    expect(bind.format(['*', '-::*'])).toBe('* -::*');
  });
  it('limits the count', () => {
    expect(parseError(bind, ['a', 'b', 'c', 'd'])).toBe('Too many bind addresses specified.');
  });
});

describe('saveParams', () => {
  const save = saveParams();
  it('validates pairs of seconds >= 1 and changes >= 0', () => {
    expect(parse(save, ['3600', '1', '300', '100'])).toBe('3600 1 300 100');
    expect(parse(save, ['100 0 5 1'])).toBe('100 0 5 1');
    for (const bad of [['100'], ['100', 'x'], ['0', '1'], ['10', '-1'], ['a', 'b'], ['1', '2', '3']]) {
      expect(parseError(save, bad)).toBe('Invalid save parameters');
    }
  });
  it('treats "" and no arguments as no snapshots', () => {
    expect(parse(save, [''], '900 1', true)).toBe('');
    expect(parse(save, [], '900 1')).toBe('');
  });
  it('replaces the previous value unless an earlier directive of the same load set it', () => {
    expect(parse(save, ['60', '1'], '3600 1', false)).toBe('60 1');
    expect(parse(save, ['60', '1'], '3600 1', true)).toBe('3600 1 60 1');
    expect(parse(save, ['60', '1'], '', true)).toBe('60 1');
  });
});

describe('keyspaceEvents', () => {
  const codec = keyspaceEvents();
  it('prints flags canonically', () => {
    expect(parse(codec, ['KEA'])).toBe('AKE');
    expect(parse(codec, ['Ex'])).toBe('xE');
    expect(parse(codec, ['KEg$lshzxetdm'])).toBe('AKEm');
    expect(parse(codec, ['g$lshzxetdn'])).toBe('An');
    expect(parse(codec, [''])).toBe('');
  });
  it('rejects unknown classes', () => {
    expect(parseError(codec, ['Q'])).toBe("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  });
});

describe('outputBufferLimits', () => {
  const codec = outputBufferLimits();
  const MB = 1024 * 1024;
  const defaults: OutputBufferLimits = {
    normal: { hard: 0, soft: 0, softSeconds: 0 },
    replica: { hard: 256 * MB, soft: 64 * MB, softSeconds: 60 },
    pubsub: { hard: 32 * MB, soft: 8 * MB, softSeconds: 60 },
  };
  it('changes only the named classes and prints all three', () => {
    const value = parse(codec, ['normal', '1mb', '2mb', '3'], defaults);
    expect(codec.format(value)).toBe(
      'normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    );
    const replica = parse(codec, ['slave 1 2 3 pubsub 4 5 6'], value);
    expect(codec.format(replica)).toBe('normal 1048576 2097152 3 slave 1 2 3 pubsub 4 5 6');
  });
  it('rejects bad input with Redis wording', () => {
    expect(parseError(codec, ['foo', '1', '2', '3'], defaults)).toBe(
      'Invalid client class specified in buffer limit configuration.',
    );
    expect(parseError(codec, ['normal', '1', '2'], defaults)).toBe(
      'Wrong number of arguments in buffer limit configuration.',
    );
    expect(parseError(codec, ['normal', '1', 'x', '2'], defaults)).toBe(
      'Error in hard, soft or soft_seconds setting in buffer limit configuration.',
    );
  });
});

describe('percentileList', () => {
  const codec = percentileList();
  it('parses numbers in [0, 100]', () => {
    expect(codec.format(parse(codec, ['99.99 50 1.5']))).toBe('99.99 50 1.5');
    expect(parse(codec, [''])).toEqual([]);
    expect(parseError(codec, ['101'])).toBe(
      'latency-tracking-info-percentiles parameters should sit between [0.0,100.0]',
    );
    expect(parseError(codec, ['1', 'x'])).toBe('Invalid latency-tracking-info-percentiles parameters');
  });
});

describe('replicaOf', () => {
  const codec = replicaOf();
  it('parses host port and no one', () => {
    expect(parse(codec, ['LOCALhost', '6999'])).toBe('LOCALhost 6999');
    expect(parse(codec, ['127.0.0.1 6379'])).toBe('127.0.0.1 6379');
    expect(parse(codec, ['NO', 'ONE'])).toBe('');
    expect(parseError(codec, ['127.0.0.1', 'abc'])).toBe('Invalid master port');
    expect(parseError(codec, ['127.0.0.1'])).toBe('wrong number of arguments');
  });
});

describe('octal', () => {
  const codec = octal(0o777);
  it('parses and prints octal', () => {
    expect(parse(codec, ['700'])).toBe(0o700);
    expect(codec.format(0o700)).toBe('700');
    expect(codec.format(0)).toBe('0');
    expect(parseError(codec, ['8'])).toBe("argument couldn't be parsed as an octal number");
    expect(parseError(codec, ['abc'])).toBe("argument couldn't be parsed as an octal number");
  });
});

describe('shutdownFlags', () => {
  const codec = shutdownFlags();
  it('accepts default or a combination of flags', () => {
    expect(parse(codec, ['DEFAULT'])).toBe('default');
    expect(parse(codec, ['force', 'nosave'])).toBe('nosave force');
    expect(parse(codec, ['now save'])).toBe('save now');
    expect(() => parse(codec, ['save', 'nosave'])).toThrow(ConfigError);
    expect(() => parse(codec, ['bogus'])).toThrow(ConfigError);
  });
});
