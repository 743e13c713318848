"""Small helpers shared by the package."""


def limit_string_length(string, length):
    """Shortens ``string`` to ``length`` characters by cutting out its middle.

    >>> limit_string_length("1234567890abcdfghijklmnopqrst", 10)
    '123 ... st'
    >>> limit_string_length("short", 10)
    'short'
    """
    if length <= 5:
        raise ValueError("length must be more than 5")
    if len(string) <= length:
        return string
    half = length // 2
    tail = half - 3 + length % 2
    return string[:half - 2] + " ... " + (string[-tail:] if tail > 0 else "")


def ncr(n, r):
    """The binomial coefficient C(n, r).

    >>> ncr(5, 2)
    10
    """
    if r < 0 or r > n:
        return 0
    r = min(r, n - r)
    out = 1
    for i in range(r):
        out = out * (n - i) // (i + 1)
    return out


def identity(x):
    """Returns ``x``.

    >>> identity(3)
    3
    """
    return x
