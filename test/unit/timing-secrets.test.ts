import { InputError } from '../../src/recording/input-error';
import { DEFAULT_SECRET_COLUMNS, maskRow, maskSecrets, secretColumnMatcher } from '../../src/recording/secrets';
import { DEFAULT_THINK_TIME_MS, FAST_DELAY_MS, thinkTimeMs, type TimingMode } from '../../src/recording/timing';
import type { Step } from '../../src/recording/types';

const recorded: Step = { type: 'keyDown', key: 'a', delayMs: 1200 };
const unrecorded: Step = { type: 'keyDown', key: 'a' };

describe('thinkTimeMs', () => {
  it('realistic uses the recorded delay, else the default', () => {
    expect(thinkTimeMs(recorded, 'realistic')).toBe(1200);
    expect(thinkTimeMs(unrecorded, 'realistic')).toBe(DEFAULT_THINK_TIME_MS);
    expect(DEFAULT_THINK_TIME_MS).toBe(500);
    expect(thinkTimeMs({ ...recorded, delayMs: 0 }, 'realistic')).toBe(0);
  });

  it('fast and instant ignore the recorded delay', () => {
    expect(thinkTimeMs(recorded, 'fast')).toBe(FAST_DELAY_MS);
    expect(FAST_DELAY_MS).toBe(50);
    expect(thinkTimeMs(recorded, 'instant')).toBe(0);
  });

  it('divides by the speed multiplier and rounds', () => {
    expect(thinkTimeMs(recorded, 'realistic', 2)).toBe(600);
    expect(thinkTimeMs(recorded, 'realistic', 0.5)).toBe(2400);
    expect(thinkTimeMs(unrecorded, 'fast', 3)).toBe(17);
    expect(thinkTimeMs(recorded, 'instant', 10)).toBe(0);
  });

  it.each([0, -1, NaN, Infinity])('rejects speed multiplier %p', (m) => {
    expect(() => thinkTimeMs(recorded, 'fast', m)).toThrow(InputError);
  });

  it('rejects an unknown mode coming from untyped input', () => {
    expect(() => thinkTimeMs(recorded, 'slow' as TimingMode)).toThrow(/unknown timing mode "slow"/);
  });
});

describe('secretColumnMatcher', () => {
  const isSecret = secretColumnMatcher(DEFAULT_SECRET_COLUMNS);

  it('matches the default words anywhere in the name, ignoring case', () => {
    for (const column of ['password', 'User_Password', 'API_TOKEN', 'clientSecret', 'apiKey', 'KEY']) {
      expect(isSecret(column)).toBe(true);
    }
    for (const column of ['email', 'name', 'pass', 'url']) {
      expect(isSecret(column)).toBe(false);
    }
  });

  it('gives the same answer on repeated calls', () => {
    expect([isSecret('token'), isSecret('token'), isSecret('token')]).toEqual([true, true, true]);
  });

  it('accepts a custom pattern and rejects an invalid one', () => {
    const isPin = secretColumnMatcher('^pin$');
    expect(isPin('PIN')).toBe(true);
    expect(isPin('spin')).toBe(false);
    expect(() => secretColumnMatcher('(')).toThrow(InputError);
  });
});

describe('masking', () => {
  const isSecret = secretColumnMatcher(DEFAULT_SECRET_COLUMNS);
  const row = { email: 'ann@x.io', password: 'hunter2', api_token: 'a.b*c', apiKey: '' };

  it('masks every occurrence of every non-empty secret value', () => {
    const text = 'login ann@x.io/hunter2 failed; retried hunter2 with token a.b*c';
    expect(maskSecrets(text, row, isSecret)).toBe('login ann@x.io/*** failed; retried *** with token ***');
  });

  it('masks the longer secret first when one contains another', () => {
    const nested = { password: 'abc', token: 'xabcx' };
    expect(maskSecrets('v=xabcx w=abc', nested, isSecret)).toBe('v=*** w=***');
  });

  it('leaves text alone when no secret column matches or values are empty', () => {
    expect(maskSecrets('nothing  here', { email: 'here', key: '' }, isSecret)).toBe('nothing  here');
  });

  it('masks secret columns of a row without touching the original', () => {
    expect(maskRow(row, isSecret)).toEqual({ email: 'ann@x.io', password: '***', api_token: '***', apiKey: '' });
    expect(row.password).toBe('hunter2');
  });
});
