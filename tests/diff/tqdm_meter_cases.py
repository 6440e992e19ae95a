"""Cases for the differential test of src/monitor/meter.c against tqdm.

  tqdm_meter_cases.py gen SEED COUNT      fixed edge cases, then COUNT random ones
  tqdm_meter_cases.py eval < CASES        tqdm.format_meter's output per case
  tqdm_meter_cases.py compare CASES WANT GOT
                                          report differing cases; exit 1 if any

A case is 11 tab-separated fields (tests/diff/meter_fmt.c reads the same):
  n total elapsed ncols prefix ascii unit unit_scale rate unit_divisor postfix
Numbers are float.hex() so both sides see the same doubles; "None" is None.

The C API carries n and total as doubles and prints whole values as Python
ints would be printed ("47", not "47.0"), so `eval` passes whole values to
tqdm as ints and the rest as floats.
"""
import itertools
import math
import random
import sys

FIELDS = 11

PREFIXES = [
    '', '', '', 'dl', 'task 3', 'Epoch: ', ':', 'a: b', '下载中', 'データ x', '🚀 go',
    '\x1b[32mok\x1b[0m', 'cafe\u0301', 'ｆｕｌｌ', 'x' * 60, '한국어 작업',
]
UNITS = ['it', 'it', 'it', 'B', 'files', '', '字', 'px']
POSTFIXES = ['', '', '', 'loss=0.25', 'ファイル', 'a, b=1']


def rand_total(r):
    kind = r.random()
    if kind < 0.15:
        return None
    if kind < 0.55:
        return r.randint(1, 200)
    if kind < 0.80:
        return r.randint(1, 10 ** r.randint(3, 15))
    if kind < 0.88:
        return 100
    return r.uniform(0.5, 10 ** r.randint(1, 9))  # non-whole total


def rand_n(r, total):
    top = total if total is not None else 10 ** r.randint(1, 12)
    kind = r.random()
    if kind < 0.10:
        return 0
    if kind < 0.18:
        return top  # finished
    if kind < 0.24 and total is not None:
        return top + r.choice([1, 0.3, 0.5, 0.49, 10])  # over: maybe total -> None
    if kind < 0.40:
        return r.uniform(0, top)  # non-whole n
    if kind < 0.45:
        return r.uniform(0, 1e27)  # unit_scale up to Y
    if kind < 0.48:
        return 10 ** r.uniform(-8, -2)  # repr in exponent form
    return r.randint(0, int(top)) if top >= 1 else 0


def rand_elapsed(r):
    kind = r.random()
    if kind < 0.10:
        return 0.0
    if kind < 0.45:
        return r.uniform(0, 10)
    if kind < 0.70:
        return r.uniform(0, 4000)
    if kind < 0.90:
        return r.uniform(86400, 1e7)  # more than a day
    return r.uniform(1e7, 1e12)


def rand_ncols(r):
    kind = r.random()
    if kind < 0.30:
        return None
    if kind < 0.40:
        return 0
    if kind < 0.60:
        return r.randint(1, 15)
    if kind < 0.85:
        return r.randint(16, 120)
    return r.randint(121, 300)


def rand_rate(r):
    kind = r.random()
    if kind < 0.45:
        return None
    if kind < 0.50:
        return 0.0
    if kind < 0.55:
        return r.choice([1.0, 0.5, 2.0, 0.999, 1.001])
    if kind < 0.65:
        return 10 ** r.uniform(-12, -3)  # huge remaining times
    return 10 ** r.uniform(-3, 7)


def row(n, total, elapsed=1.5, ncols=None, prefix='', ascii=0, unit='it', unit_scale=0,
        rate=None, divisor=1000, postfix=''):
    def num(v):
        return 'None' if v is None else float(v).hex()
    return '\t'.join([num(n), num(total), num(elapsed), str(ncols), prefix, str(ascii), unit,
                      str(unit_scale), num(rate), num(divisor), postfix])


def edge_cases():
    """Boundaries random sampling rarely hits exactly."""
    def around(x):
        return [math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)]
    # every n/total up to 24: percentage ties (12.5 -> 12), bar eighths/tenths
    for total in range(1, 25):
        for n in range(total + 1):
            for ncols, ascii in itertools.product((None, 47), (0, 1)):
                yield row(n, total, ncols=ncols, ascii=ascii)
    # format_sizeof's 9.995 / 99.95 / 999.5 thresholds, per prefix and divisor
    for base in (0.005, 0.995, 9.995, 99.95, 999.5, 1023.5, 9.995e3, 999.5e3, 999.5 * 1024,
                 999.5e6, 999.5e21, 999.5e24):
        for x, div in itertools.product(around(base), (1000, 1024)):
            yield row(x, None, unit_scale=1, rate=x, divisor=div)
            yield row(x, 2 * x, unit_scale=1, rate=x, divisor=div, ncols=60)
            yield row(x, None, rate=1 / x)
    # it/s vs s/it (inv_rate > 1) and '{0:5.2f}' ties
    for rate in around(1.0) + around(0.5) + [0.125, 0.375, 0.625, 2.675, 1.005, 10.125, 8.0]:
        for unit_scale in (0, 1):
            yield row(3, 10, rate=rate, unit_scale=unit_scale)
            yield row(3, None, rate=1 / rate, unit_scale=unit_scale)
    # n around total + 0.5 (total -> None) and n just over total (remaining < 0)
    for total in (10, 1e6, 2 ** 53):
        for n in around(total + 0.5) + [total + 0.25, total + 0.49]:
            for rate in (None, 1e-9, 0.01, 3.0):
                yield row(n, total, ncols=40, rate=rate)
    # every small ncols: trimming through wide characters and ANSI sequences
    for prefix in ('', 'dl', '下载中', '\x1b[32mok\x1b[0m', 'ab\x1b[1m', 'データ x: ',
                   '\x1b[31m下\x1b[0m载', '🚀'):
        for ncols in range(1, 60):
            yield row(37, 91, elapsed=12.3, ncols=ncols, prefix=prefix,
                      postfix='ファイル' if ncols % 2 else '', unit='字' if ncols % 3 == 0 else 'it')
    # interval formatting: minute/hour/day edges, and hours too big for 64 bits
    for t in (0, 0.999, 59.999, 60, 3599.999, 3600, 86399, 86400, 1e9, 2 ** 63, 2 ** 64 + 4096,
              1e20, sys.float_info.max):
        yield row(5, None, elapsed=t)
        yield row(0, 10 ** 15, elapsed=1, rate=1e15 / t if t else None)


def gen(seed, count):
    for case in edge_cases():
        print(case)
    r = random.Random(seed)
    for _ in range(count):
        total = rand_total(r)
        n = rand_n(r, total)
        rate = rand_rate(r)
        print(row(n, total, elapsed=rand_elapsed(r), ncols=rand_ncols(r),
                  prefix=r.choice(PREFIXES), ascii=int(r.random() < 0.3), unit=r.choice(UNITS),
                  unit_scale=int(r.random() < 0.35), rate=rate,
                  divisor=r.choice([1000, 1000, 1024]), postfix=r.choice(POSTFIXES)))


def number(s):
    """float.hex -> the Python value the C side stands for."""
    if s == 'None':
        return None
    x = float.fromhex(s)
    return int(x) if x.is_integer() else x


def evaluate():
    import warnings
    from tqdm import tqdm
    warnings.simplefilter('ignore')  # Bar's "clamping frac" warning
    for line in sys.stdin:
        f = line.rstrip('\n').split('\t')
        assert len(f) == FIELDS, line
        total = number(f[1])
        print(tqdm.format_meter(
            n=number(f[0]), total=total if total is None or total > 0 else None,
            elapsed=float.fromhex(f[2]), ncols=None if f[3] == 'None' else int(f[3]),
            prefix=f[4], ascii=bool(int(f[5])), unit=f[6], unit_scale=bool(int(f[7])),
            rate=None if f[8] == 'None' else float.fromhex(f[8]),
            unit_divisor=number(f[9]) or 1000, postfix=f[10] or None))


def compare(cases, want, got, show=5):
    def lines(path):
        with open(path, encoding='utf-8', newline='\n') as fh:
            return fh.read().split('\n')[:-1]  # files end with a newline
    c, w, g = lines(cases), lines(want), lines(got)
    if len(w) != len(c) or len(g) != len(c):
        print('line counts differ: %d cases, tqdm %d, meter_fmt %d' % (len(c), len(w), len(g)))
    bad = [i for i in range(len(c))
           if i >= len(w) or i >= len(g) or w[i] != g[i]]
    for i in bad[:show]:
        print('case %d: %r' % (i + 1, c[i].split('\t')))
        print('  tqdm:      %r' % (w[i] if i < len(w) else None))
        print('  meter_fmt: %r' % (g[i] if i < len(g) else None))
    print('%d passed, %d failed' % (len(c) - len(bad), len(bad)))
    return 1 if bad else 0


def main():
    sys.stdout.reconfigure(encoding='utf-8', newline='\n')
    sys.stdin.reconfigure(encoding='utf-8', newline='\n')
    cmd = sys.argv[1] if len(sys.argv) > 1 else ''
    if cmd == 'gen':
        gen(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == 'eval':
        evaluate()
    elif cmd == 'compare':
        sys.exit(compare(*sys.argv[2:5]))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
