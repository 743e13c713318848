//! Small arithmetic helpers shared by the domains.

/// `C(m, t)`, or `None` when it overflows `u128`.
pub(crate) fn binomial(m: u128, t: u128) -> Option<u128> {
    if t > m {
        return Some(0);
    }
    let t = t.min(m - t);
    let mut res: u128 = 1;
    for j in 1..=t {
        let num = m - t + j;
        // res * num / j is an integer; compute it without overflowing the intermediate product.
        let q = res / j;
        let r = res % j;
        res = q.checked_mul(num)?.checked_add(r.checked_mul(num)? / j)?;
    }
    Some(res)
}

/// `n!`, or `None` when it overflows `u128`.
pub(crate) fn factorial(n: u128) -> Option<u128> {
    (1..=n).try_fold(1u128, |acc, x| acc.checked_mul(x))
}

/// `base^exp`, or `None` when it overflows (or `base` is unknown and `exp > 0`).
pub(crate) fn checked_pow(base: Option<u128>, exp: usize) -> Option<u128> {
    if exp == 0 {
        return Some(1);
    }
    let b = base?;
    let mut acc: u128 = 1;
    for _ in 0..exp {
        acc = acc.checked_mul(b)?;
        if acc == 0 {
            return Some(0);
        }
    }
    Some(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials() {
        assert_eq!(binomial(5, 2), Some(10));
        assert_eq!(binomial(5, 6), Some(0));
        assert_eq!(binomial(0, 0), Some(1));
        assert_eq!(
            binomial(128, 64),
            Some(23951146041928082866135587776380551750)
        );
        assert!(binomial(130, 65).is_some());
        assert_eq!(binomial(200, 100), None);
        assert_eq!(factorial(5), Some(120));
        assert_eq!(factorial(40), None);
        assert_eq!(checked_pow(Some(2), 127), Some(1u128 << 127));
        assert_eq!(checked_pow(Some(2), 128), None);
        assert_eq!(checked_pow(None, 0), Some(1));
    }
}
