import pytest
from datetime import timedelta
import haydi_rs as hd


@pytest.mark.slow
def test_maxall_timeout():
    r = hd.Range(1000000)

    def fn(x):
        return sum(range(x * x))

    result = r.map(fn).max(lambda x: x).run(timeout=timedelta(seconds=3))
    assert result is not None
    # port: Python 2 compared a list with an int (always true); Python 3 cannot.
    assert result[0] > 0
